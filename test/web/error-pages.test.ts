import { Writable } from 'node:stream';
import path from 'node:path';
import * as cheerio from 'cheerio';
import express from 'express';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { setUpErrorHandling } from '../../src/web/error-handling';
import { forbidden } from '../../src/web/http-errors';
import { createI18n, setUpI18n } from '../../src/web/i18n';
import { setUpLocals } from '../../src/web/locals';
import { setUpRequestLogging } from '../../src/web/request-logging';

const logLines: string[] = [];
let app: express.Express;
let i18n: Awaited<ReturnType<typeof createI18n>>;

/** The real error handling, i18n and views around two routes that fail. */
beforeAll(async () => {
  app = express();
  app.set('views', path.resolve(import.meta.dirname, '../../views'));
  app.set('view engine', 'ejs');
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(chunk.toString());
      callback();
    },
  });
  setUpRequestLogging(app, createLogger('info', sink));
  i18n = await createI18n();
  setUpI18n(app, i18n, { production: false });
  setUpLocals(app);
  app.get('/not-yours', () => {
    throw forbidden('employer of someone else');
  });
  app.get('/broken', () => {
    throw new Error('database exploded for 19121212-1212');
  });
  setUpErrorHandling(app, i18n);
});

describe('a failure before the pages can be rendered (no translator yet)', () => {
  it('answers in plain text with the page titles from the locale files, in Swedish and English', async () => {
    const bare = express();
    setUpRequestLogging(bare, createLogger('silent'));
    bare.get('/down', () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    });
    bare.get('/broken', () => {
      throw new Error('exploded');
    });
    setUpErrorHandling(bare, i18n);
    const down = await request(bare).get('/down').expect(503);
    expect(down.headers['content-type']).toMatch(/^text\/plain/);
    expect(down.text).toBe('Tjänsten är tillfälligt otillgänglig / The service is temporarily unavailable');
    const broken = await request(bare).get('/broken').expect(500);
    expect(broken.text).toBe('Något gick fel / Something went wrong');
  });
});

describe('error pages', () => {
  it.each([
    ['sv', 'Du har inte behörighet till sidan'],
    ['en', 'You do not have access to this page'],
  ])('shows the 403 page in %s', async (lang, heading) => {
    const response = await request(app).get(`/not-yours?lang=${lang}`).expect(403);
    const $ = cheerio.load(response.text);
    expect($('h1').text()).toBe(heading);
    expect($('html').attr('lang')).toBe(lang);
  });

  it.each([
    ['sv', 'Något gick fel'],
    ['en', 'Something went wrong'],
  ])('shows the 500 page in %s with a reference and no details', async (lang, heading) => {
    const response = await request(app).get(`/broken?lang=${lang}`).expect(500);
    const $ = cheerio.load(response.text);
    expect($('h1').text()).toBe(heading);
    expect(response.text).toContain(String(response.headers['x-request-id']));
    expect(response.text).not.toContain('exploded');
    expect(response.text).not.toContain('1212');
  });

  it('logs the failure with its request id, without the personal identity number', () => {
    const failure = logLines.find((line) => line.includes('request failed'));
    expect(failure).toBeDefined();
    expect(failure).toContain('database exploded');
    expect(failure).not.toContain('1212-1212');
  });
});
