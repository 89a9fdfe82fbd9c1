import { readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import { paths } from '../paths';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A front-end package's folder and version (read directly: some packages do not export package.json). */
function packageDir(name: string): { dir: string; version: string } {
  const dir = path.join(ROOT, 'node_modules', name);
  const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  return { dir, version };
}

const designSystemCss = packageDir('@digdir/designsystemet-css');
const designSystemWeb = packageDir('@digdir/designsystemet-web');
const inter = packageDir('@fontsource/inter');
const appVersion = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** URL prefixes that change with each version, so the files can be cached for a year. */
const prefix = {
  app: `${paths.assets}/app/${appVersion}`,
  designSystemCss: `${paths.assets}/designsystemet-css/${designSystemCss.version}`,
  designSystemWeb: `${paths.assets}/designsystemet-web/${designSystemWeb.version}`,
  inter: `${paths.assets}/inter/${inter.version}`,
};

const mounts: [string, string][] = [
  [prefix.app, path.join(ROOT, 'public')],
  [prefix.designSystemCss, path.join(designSystemCss.dir, 'dist')],
  [prefix.designSystemWeb, path.join(designSystemWeb.dir, 'dist/umd')],
  [prefix.inter, inter.dir],
];

/** The stylesheets and script every page links to, in order. */
export const pageAssets = {
  stylesheets: [
    `${prefix.inter}/400.css`,
    `${prefix.inter}/500.css`,
    `${prefix.inter}/600.css`,
    `${prefix.designSystemCss}/src/index.css`,
    `${prefix.designSystemCss}/theme/designsystemet.css`,
    `${prefix.app}/css/app.css`,
  ],
  scripts: [`${prefix.designSystemWeb}/index.js`, `${prefix.app}/js/auto-submit.js`],
};

export function setUpStaticFiles(app: Express): void {
  for (const [urlPrefix, dir] of mounts) {
    app.use(urlPrefix, express.static(dir, { immutable: true, maxAge: '365d', index: false, fallthrough: true }));
  }
}
