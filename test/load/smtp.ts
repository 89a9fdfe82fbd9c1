import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ArrivedMail {
  /** The outbox row the portal sent it for (its X-Portal-Outbox-Id header). */
  outboxId: string | undefined;
  messageId: string | undefined;
  to: string[];
  /** When the relay accepted it (ms since the epoch). */
  at: number;
}

/** A real SMTP server on a fixed port that can be stopped (connections refused) and started again. */
export class MailCatcher {
  readonly messages: ArrivedMail[] = [];
  /** Client connections that ended in an error (a killed instance resets the pooled connection it held). */
  connectionErrors = 0;
  private server: SMTPServer | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const messages = this.messages;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 1_000,
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((mail) => {
            const header = mail.headers.get('x-portal-outbox-id');
            messages.push({
              outboxId: typeof header === 'string' ? header : undefined,
              messageId: mail.messageId,
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              at: Date.now(),
            });
            callback();
          })
          .catch((error: unknown) => {
            callback(error instanceof Error ? error : new Error(String(error)));
          });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Once listening, 'error' is a client connection's error; without a listener it would end this process.
    server.on('error', () => {
      this.connectionErrors += 1;
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const running = this.server;
    this.server = undefined;
    if (running)
      await new Promise<void>((resolve) => {
        running.close(() => {
          resolve();
        });
      });
  }
}
