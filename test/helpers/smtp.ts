import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll } from 'vitest';
import { freePort } from './ports';

export interface ArrivedMail {
  /** The envelope's recipients (RCPT TO), which is where the message really went. */
  envelopeTo: string[];
  mail: ParsedMail;
}

export interface SmtpCatcher {
  /** `smtp://127.0.0.1:<port>`: the same port across stop and start, as a real server coming back. */
  readonly url: string;
  /** Every message accepted so far, in order of arrival (kept across stop and start). */
  readonly messages: ArrivedMail[];
  start(): Promise<void>;
  /** Stops listening (connections are refused), as a mail server that is down. */
  stop(): Promise<void>;
  /** Answers each recipient with this SMTP error (e.g. 451 or 550) until set back to undefined. */
  refuseWith(code: number | undefined): void;
  /** Resolves once `count` messages have arrived; fails after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ArrivedMail[]>;
}

/**
 * A real SMTP server in the test process (smtp-server), reading what arrives with mailparser. Started at once;
 * stopped after the file's tests.
 */
export async function startSmtpServer(): Promise<SmtpCatcher> {
  const port = await freePort();
  const messages: ArrivedMail[] = [];
  let refusal: number | undefined;
  let server: SMTPServer | undefined;

  const catcher: SmtpCatcher = {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async start() {
      if (server) return;
      const created = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        closeTimeout: 1_000,
        onRcptTo(_address, _session, callback) {
          if (refusal === undefined) {
            callback();
            return;
          }
          const error = new Error(`refused for the test (${refusal})`) as Error & { responseCode: number };
          error.responseCode = refusal;
          callback(error);
        },
        onData(stream, session, callback) {
          simpleParser(stream)
            .then((mail) => {
              messages.push({ envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address), mail });
              callback();
            })
            .catch((error: unknown) => {
              callback(error instanceof Error ? error : new Error(String(error)));
            });
        },
      });
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject);
        created.listen(port, '127.0.0.1', () => {
          created.off('error', reject);
          resolve();
        });
      });
      // Once listening, 'error' is a client connection's error (a stopped app resets its pooled connection);
      // without a listener it would end the test process.
      created.on('error', () => undefined);
      server = created;
    },
    async stop() {
      const running = server;
      server = undefined;
      if (running) {
        await new Promise<void>((resolve) => {
          running.close(resolve);
        });
      }
    },
    refuseWith(code) {
      refusal = code;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} messages, ${messages.length} arrived`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return messages;
    },
  };
  await catcher.start();
  afterAll(() => catcher.stop());
  return catcher;
}
