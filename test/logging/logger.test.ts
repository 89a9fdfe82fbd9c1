import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskIdentityNumbers } from '../../src/logger';

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { stream, lines };
}

describe('logger', () => {
  it.each(['191212121212', '19121212-1212', '121212-1212', '121212+1212', '5560360793'])(
    'masks the identity number %s wherever it appears',
    (value) => {
      expect(maskIdentityNumbers(`{"msg":"login ${value}","url":"/x?q=${value}"}`)).not.toContain(value);
    },
  );

  it('leaves other numbers alone', () => {
    expect(maskIdentityNumbers('{"statusCode":403,"responseTime":12,"code":"1234567"}')).toBe(
      '{"statusCode":403,"responseTime":12,"code":"1234567"}',
    );
  });

  it('writes no personal identity number in a log line, in a message or a field', () => {
    const { stream, lines } = capture();
    const logger = createLogger('info', stream);
    logger.info({ personalIdentityNumber: '191212121212', note: 'person 19121212-1212' }, 'login by 191212121212');
    logger.flush();
    const output = lines.join('');
    expect(output).toContain('login by');
    expect(output).not.toMatch(/1212121212/);
  });
});
