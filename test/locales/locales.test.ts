import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
type Tree = { [key: string]: string | Tree };

function load(language: string): Tree {
  return JSON.parse(readFileSync(path.join(ROOT, 'src/locales', `${language}.json`), 'utf8')) as Tree;
}

function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key}`] : keys(value, `${prefix}${key}.`),
  );
}

function filesUnder(dir: string, extension: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith(extension))
    .map((file) => path.join(dir, file));
}

describe('locale files', () => {
  const sv = keys(load('sv')).sort();
  const en = keys(load('en')).sort();

  it('have the same keys in Swedish and English', () => {
    expect(en).toEqual(sv);
  });

  it('have no empty text', () => {
    const empty = (tree: Tree): string[] =>
      Object.entries(tree).flatMap(([key, value]) =>
        typeof value === 'string' ? (value.trim() ? [] : [key]) : empty(value),
      );
    expect(empty(load('sv'))).toEqual([]);
    expect(empty(load('en'))).toEqual([]);
  });

  it('hold every key that the views name literally', () => {
    const used = new Set<string>();
    for (const file of filesUnder(path.join(ROOT, 'views'), '.ejs')) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\bt\('([a-zA-Z0-9_.-]+)'/g)) {
        if (match[1]) used.add(match[1]);
      }
    }
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((key) => !sv.includes(key))).toEqual([]);
  });
});
