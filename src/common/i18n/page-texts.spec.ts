import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES } from '../locales';
import { localeFromAcceptLanguage, supportedLocale } from './page-locale';
import { LOCALES_DIR, pageTextNamespaces, translate } from './page-texts';

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') found.set(path, value);
    else for (const [inner, text] of leaves(value, path)) found.set(inner, text);
  }
  return found;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();
const load = (locale: string, namespace: string) =>
  leaves(JSON.parse(readFileSync(join(LOCALES_DIR, locale, `${namespace}.json`), 'utf8')) as Tree);

describe('page texts', () => {
  const namespaces = pageTextNamespaces();

  it.each(namespaces)('namespace %s has the same keys and placeholders in every locale', (namespace) => {
    const english = load('en', namespace);
    for (const locale of LOCALES) {
      const other = load(locale, namespace);
      const missing = [...english.keys()].filter((key) => !other.has(key)).map((key) => `${locale} lacks ${namespace}:${key}`);
      const extra = [...other.keys()].filter((key) => !english.has(key)).map((key) => `en lacks ${namespace}:${key} (in ${locale})`);
      expect([...missing, ...extra]).toEqual([]);
      for (const [key, text] of english) {
        expect({ key, placeholders: placeholders(other.get(key)!) }).toEqual({ key, placeholders: placeholders(text) });
        expect({ key, empty: other.get(key)!.trim() === '' }).toEqual({ key, empty: false });
      }
    }
  });

  it('no locale has a namespace that English lacks', () => {
    for (const locale of LOCALES) {
      const files = readdirSync(join(LOCALES_DIR, locale))
        .filter((name) => name.endsWith('.json'))
        .map((name) => name.slice(0, -'.json'.length))
        .sort();
      expect({ locale, files }).toEqual({ locale, files: namespaces });
    }
  });

  it('translates into the requested locale and interpolates', () => {
    expect(translate('en', 'common:footer.cantVerify')).toBe("Can't verify your identity?");
    expect(translate('zh-CN', 'common:footer.cantVerify')).toBe('无法验证身份？');
  });

  it('picks the locale from Accept-Language by q-value, else nothing', () => {
    expect(localeFromAcceptLanguage('fr-FR, zh-CN;q=0.8, en;q=0.5')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('en;q=0.4, zh;q=0.9')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('zh-Hans-CN')).toBe('zh-CN');
    expect(localeFromAcceptLanguage('de, fr')).toBeUndefined();
    expect(localeFromAcceptLanguage(undefined)).toBeUndefined();
    expect(supportedLocale('EN-gb')).toBe('en');
    expect(supportedLocale('xx')).toBeUndefined();
  });
});
