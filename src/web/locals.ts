import type { Express } from 'express';
import { paths, pathTo } from '../paths';
import { LANGUAGE_PARAM, isLanguage } from './i18n';
import { pageAssets } from './static-files';

/** 10 digits with or without a separator: a personal identity number (or an organisation number) typed into a URL. */
const IDENTITY_NUMBER_LIKE = /[0-9]{6}[-+\s]?[0-9]{4}/;

const looksLikeIdentityNumber = (value: string): boolean => IDENTITY_NUMBER_LIKE.test(value);

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * What every view needs: the translator, the language and its switch, the page assets. The switch (and the
 * header's way back) link to the same page, but never repeat a number someone typed into the address.
 */
export function setUpLocals(app: Express): void {
  app.use((req, res, next) => {
    const lang = isLanguage(req.language) ? req.language : 'sv';
    const otherLang = lang === 'sv' ? 'en' : 'sv';
    const query = new URLSearchParams(
      Object.entries(req.query).flatMap(([key, value]) =>
        (Array.isArray(value) ? value : [value])
          .filter((item): item is string => typeof item === 'string' && !looksLikeIdentityNumber(item))
          .map((item): [string, string] => [key, item]),
      ),
    );
    query.set(LANGUAGE_PARAM, otherLang);
    res.locals.t = (key, options) => req.t(key, options);
    res.locals.lang = lang;
    res.locals.otherLang = otherLang;
    const path = looksLikeIdentityNumber(decoded(req.path)) ? paths.start : req.path;
    res.locals.currentPath = path;
    res.locals.languageSwitchHref = `${path}?${query.toString()}`;
    res.locals.assets = pageAssets;
    res.locals.currentPerson = undefined;
    res.locals.employerContext = undefined;
    res.locals.paths = paths;
    res.locals.pathTo = pathTo;
    next();
  });
}
