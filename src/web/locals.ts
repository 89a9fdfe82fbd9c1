import type { Express } from 'express';
import { paths, pathTo } from '../paths';
import { LANGUAGE_PARAM, isLanguage } from './i18n';
import { pageAssets } from './static-files';

/** What every view needs: the translator, the language and its switch, the page assets. */
export function setUpLocals(app: Express): void {
  app.use((req, res, next) => {
    const lang = isLanguage(req.language) ? req.language : 'sv';
    const otherLang = lang === 'sv' ? 'en' : 'sv';
    const query = new URLSearchParams(req.query as Record<string, string>);
    query.set(LANGUAGE_PARAM, otherLang);
    res.locals.t = (key, options) => req.t(key, options);
    res.locals.lang = lang;
    res.locals.otherLang = otherLang;
    res.locals.currentPath = req.path;
    res.locals.languageSwitchHref = `${req.path}?${query.toString()}`;
    res.locals.assets = pageAssets;
    res.locals.currentPerson = undefined;
    res.locals.employerContext = undefined;
    res.locals.paths = paths;
    res.locals.pathTo = pathTo;
    next();
  });
}
