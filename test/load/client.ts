import * as cheerio from 'cheerio';

export interface Answer {
  status: number;
  location: string | undefined;
  requestId: string | undefined;
  text: string;
}

/** A browser in miniature: one cookie jar, redirects not followed, every request with a timeout. */
export class Browser {
  private readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  async request(method: 'GET' | 'POST', url: string, form?: Record<string, string>): Promise<Answer> {
    const absolute = new URL(url, this.baseUrl);
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) {
      headers.Cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    let body: string | undefined;
    if (form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const response = await fetch(absolute, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair?.indexOf('=') ?? -1;
      if (pair && at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    return {
      status: response.status,
      location: response.headers.get('location') ?? undefined,
      requestId: response.headers.get('x-request-id') ?? undefined,
      text: await response.text(),
    };
  }

  get(url: string): Promise<Answer> {
    return this.request('GET', url);
  }

  post(url: string, form: Record<string, string>): Promise<Answer> {
    return this.request('POST', url, form);
  }
}

function expectStatus(answer: Answer, status: number, step: string): Answer {
  if (answer.status !== status) throw new Error(`login: ${step} answered ${answer.status}, expected ${status}`);
  return answer;
}

function hiddenFields($: cheerio.CheerioAPI, form: ReturnType<cheerio.CheerioAPI>): Record<string, string> {
  const fields: Record<string, string> = {};
  form.find('input[type=hidden]').each((_, input) => {
    const name = $(input).attr('name');
    if (name) fields[name] = $(input).attr('value') ?? '';
  });
  return fields;
}

/** Logs in through the development e-ID as a browser does: portal → IdP → pick page → continue → portal. */
export async function loginWithEid(browser: Browser, personalIdentityNumber: string): Promise<void> {
  const start = expectStatus(await browser.get('/logga-in'), 302, 'the login');
  const sso = expectStatus(await browser.get(String(start.location)), 302, 'the IdP');
  const page = expectStatus(await browser.get(String(sso.location)), 200, 'the pick page');
  const csrf = cheerio.load(page.text)('input[name=_csrf]').val();
  const picked = expectStatus(
    await browser.post('/dev-eid/authenticate', {
      _csrf: String(csrf),
      personalIdentityNumber,
      action: 'authenticate',
    }),
    200,
    'the pick',
  );
  const $ = cheerio.load(picked.text);
  const form = $('form[data-auto-submit]');
  const done = await browser.post(String(form.attr('action')), hiddenFields($, form));
  if (done.status !== 302 && done.status !== 303) throw new Error(`login: the portal answered ${done.status}`);
}

/** The CSRF token and the forms of a page, as a person would find them. */
export function formsOf(html: string): { action: string; fields: Record<string, string> }[] {
  const $ = cheerio.load(html);
  return $('form[method=post]')
    .map((_, element) => {
      const form = $(element);
      return { action: String(form.attr('action')), fields: hiddenFields($, form) };
    })
    .get();
}
