import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import i18next, { type Resource } from 'i18next';
import { LanguageDetector, handle } from 'i18next-http-middleware';

export const LANGUAGES = ['sv', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_PARAM = 'lang';
const LANGUAGE_COOKIE = 'lang';

const LOCALES_DIR = path.resolve(import.meta.dirname, '../locales');

function loadResources(): Resource {
  const resources: Resource = {};
  for (const language of LANGUAGES) {
    const file = path.join(LOCALES_DIR, `${language}.json`);
    resources[language] = { translation: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> };
  }
  return resources;
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** One i18next instance for the app; Swedish unless the person chose English (?lang=en, then remembered in a cookie). */
export async function createI18n(): Promise<typeof i18next> {
  const instance = i18next.createInstance();
  await instance.use(LanguageDetector).init({
    resources: loadResources(),
    fallbackLng: 'sv',
    supportedLngs: [...LANGUAGES],
    nonExplicitSupportedLngs: false,
    load: 'languageOnly',
    interpolation: { escapeValue: false },
    returnNull: false,
    detection: {
      order: ['querystring', 'cookie'],
      lookupQuerystring: LANGUAGE_PARAM,
      lookupCookie: LANGUAGE_COOKIE,
      caches: false,
    },
  });
  return instance;
}

/** Detects the language, and remembers it in a cookie only when the person chose it with the language link. */
export function setUpI18n(app: Express, instance: typeof i18next, options: { production: boolean }): void {
  app.use(handle(instance));
  app.use((req, res, next) => {
    const chosen = req.query[LANGUAGE_PARAM];
    if (isLanguage(chosen)) {
      res.cookie(LANGUAGE_COOKIE, chosen, {
        httpOnly: true,
        sameSite: 'lax',
        secure: options.production,
        maxAge: 365 * 86_400_000,
      });
    }
    next();
  });
}
