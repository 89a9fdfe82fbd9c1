import * as cheerio from 'cheerio';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app';

let testApp: TestApp;
beforeAll(async () => {
  testApp = await buildTestApp();
});

describe('start page', () => {
  it('is served in Swedish by default, with one h1 and a skip link to main', async () => {
    const response = await request(testApp.app).get('/').expect(200);
    const $ = cheerio.load(response.text);
    expect($('html').attr('lang')).toBe('sv');
    expect($('h1')).toHaveLength(1);
    expect($('h1').text()).toContain('Behörigheter');
    expect($('a.ds-skip-link').attr('href')).toBe('#main');
    expect($('main#main')).toHaveLength(1);
  });

  it('links every stylesheet and script from this origin, and each of them is served', async () => {
    const response = await request(testApp.app).get('/').expect(200);
    const $ = cheerio.load(response.text);
    const urls = [
      ...$('link[rel=stylesheet]')
        .map((_, element) => $(element).attr('href'))
        .get(),
      ...$('script')
        .map((_, element) => $(element).attr('src'))
        .get(),
    ];
    expect(urls.length).toBeGreaterThanOrEqual(6);
    for (const url of urls) {
      expect(url).toMatch(/^\/assets\//);
      const asset = await request(testApp.app).get(url).expect(200);
      expect(asset.headers['cache-control']).toContain('immutable');
    }
    expect($('script:not([src])')).toHaveLength(0);
    expect($('[style]')).toHaveLength(0);
  });

  it('serves the fonts that the Inter stylesheet names', async () => {
    const response = await request(testApp.app).get('/').expect(200);
    const $ = cheerio.load(response.text);
    const inter = $('link[href*="/inter/"]').first().attr('href') ?? '';
    const css = await request(testApp.app).get(inter).expect(200);
    const font = /url\(\.\/(files\/[^)]+\.woff2)\)/.exec(css.text)?.[1];
    expect(font).toBeDefined();
    await request(testApp.app)
      .get(inter.replace(/[^/]+$/, font ?? ''))
      .expect(200);
  });
});

describe('language', () => {
  it('switches to English with ?lang=en and remembers the choice in a cookie', async () => {
    const agent = request.agent(testApp.app);
    const english = await agent.get('/?lang=en').expect(200);
    const $ = cheerio.load(english.text);
    expect($('html').attr('lang')).toBe('en');
    expect($('h1').text()).toContain('Permissions');
    const switchLink = $('a[hreflang="sv"]');
    expect(switchLink.attr('href')).toBe('/?lang=sv');
    expect(switchLink.attr('lang')).toBe('sv');

    const later = await agent.get('/').expect(200);
    expect(cheerio.load(later.text)('html').attr('lang')).toBe('en');
  });

  it('links to the same page in the other language, keeping the query but never a personal identity number', async () => {
    const response = await request(testApp.app)
      .get('/?kod=a&kod=b&sok=Anna%20Berg&nr=19121207-2423&lang=en')
      .expect(200);
    const href = cheerio.load(response.text)('a[hreflang="sv"]').attr('href');
    expect(href).toBe('/?kod=a&kod=b&sok=Anna+Berg&lang=sv');
  });

  it('ignores a language it does not have', async () => {
    const response = await request(testApp.app).get('/?lang=de').expect(200);
    expect(cheerio.load(response.text)('html').attr('lang')).toBe('sv');
  });
});

describe('error pages', () => {
  it('answers an unknown path with the 404 page in Swedish', async () => {
    const response = await request(testApp.app).get('/finns-inte').expect(404);
    const $ = cheerio.load(response.text);
    expect($('h1').text()).toBe('Sidan finns inte');
    expect($('html').attr('lang')).toBe('sv');
  });

  it('answers an unknown path with the 404 page in English', async () => {
    const response = await request(testApp.app).get('/missing?lang=en').expect(404);
    expect(cheerio.load(response.text)('h1').text()).toBe('Page not found');
  });
});

describe('health', () => {
  it('reports the process alive and the database reachable', async () => {
    await request(testApp.app).get('/healthz').expect(200, { status: 'ok' });
    await request(testApp.app).get('/readyz').expect(200, { status: 'ok' });
  });
});
