import fc from 'fast-check';

/** A request body as sent on the wire: its content type (none: no header) and its bytes. */
export interface WireBody {
  readonly contentType?: string;
  readonly payload: string | Uint8Array;
  /** How the case was made, for the report of a failing one. */
  readonly shape: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Strings that have broken parsers, validators and databases before. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\uffff',
  '%',
  '%00',
  '%zz',
  '../../etc/passwd',
  "'; DROP TABLE accounts; --",
  '" OR 1=1 --',
  '{{constructor.constructor("return process")()}}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'toString',
  'NaN',
  'Infinity',
  '-1',
  '1e400',
  '9'.repeat(40),
  '0x1F',
  '2024-02-30',
  '+8613800000000',
  '+0000000000000000',
  'user@',
  '@example.com',
  'a@b',
  `${'a'.repeat(300)}@example.com`,
  '\u202e\u0301\u200b',
  '😀'.repeat(40),
  'x'.repeat(6_000),
];

/** Any value a field might be given instead of the right one. */
export const anyValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> },
  { weight: 2, arbitrary: fc.constantFrom<Json>(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, Number.MAX_SAFE_INTEGER, -Number.MAX_VALUE, [], {}, [null], { '': '' }),
  },
);

/** `sample` with one thing wrong somewhere in it: a value replaced, a member dropped or added, nested included. */
export function mutated(sample: Json): fc.Arbitrary<Json> {
  if (sample === null || typeof sample !== 'object') return anyValue;
  if (Array.isArray(sample)) {
    if (!sample.length) return fc.oneof(anyValue, fc.array(anyValue, { maxLength: 200 }));
    return fc.oneof(
      anyValue,
      fc.array(anyValue, { maxLength: 200 }),
      fc
        .nat(sample.length - 1)
        .chain((index) => mutated(sample[index]).map((value) => sample.map((item, n) => (n === index ? value : item)))),
    );
  }
  const keys = Object.keys(sample);
  const variants: fc.Arbitrary<Json>[] = [
    anyValue,
    fc
      .tuple(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'admin', 'role')), anyValue)
      .map(([key, value]) => {
        const copy: Record<string, Json> = { ...sample };
        Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
        return copy;
      }),
  ];
  if (keys.length) {
    variants.push(
      fc.constantFrom(...keys).chain((key) => mutated(sample[key]).map((value) => ({ ...sample, [key]: value }))),
      fc.constantFrom(...keys).map((key) => Object.fromEntries(Object.entries(sample).filter(([name]) => name !== key)) as Json),
    );
  }
  return fc.oneof(...variants);
}

const json = 'application/json';

/** Hand-made bodies for the parser itself: malformed, nested deep, oddly encoded, prototype keys. */
const RAW_BODIES: readonly WireBody[] = [
  { contentType: json, payload: '', shape: 'empty JSON' },
  { contentType: json, payload: '{', shape: 'truncated' },
  { contentType: json, payload: '{"a":1,}', shape: 'trailing comma' },
  { contentType: json, payload: 'null', shape: 'null' },
  { contentType: json, payload: '"text"', shape: 'top-level string' },
  { contentType: json, payload: '42', shape: 'top-level number' },
  { contentType: json, payload: '[]', shape: 'empty array' },
  { contentType: json, payload: '[{}]', shape: 'array of object' },
  { contentType: json, payload: '\ufeff{}', shape: 'BOM' },
  { contentType: json, payload: '{"__proto__":{"polluted":true}}', shape: '__proto__' },
  { contentType: json, payload: '{"constructor":{"prototype":{"polluted":true}}}', shape: 'constructor.prototype' },
  { contentType: json, payload: '{"a":1,"a":2}', shape: 'duplicate keys' },
  { contentType: json, payload: `${'['.repeat(20_000)}${']'.repeat(20_000)}`, shape: 'arrays 20,000 deep' },
  { contentType: json, payload: `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`, shape: 'objects 5,000 deep' },
  { contentType: json, payload: `{"a":"${'x'.repeat(70_000)}"}`, shape: 'over the size limit' },
  { contentType: json, payload: '{"a":1e999999}', shape: 'huge exponent' },
  { contentType: 'application/json; charset=utf-16', payload: '{}', shape: 'utf-16 charset' },
  { contentType: 'application/json; charset=koi8-r', payload: '{}', shape: 'unknown charset' },
  { contentType: 'text/plain', payload: '{"a":1}', shape: 'text/plain' },
  { contentType: 'application/xml', payload: '<a>1</a>', shape: 'xml' },
  { contentType: 'application/x-www-form-urlencoded', payload: 'a[b][c]=1&__proto__[x]=1&a=%zz', shape: 'form' },
  { contentType: 'multipart/form-data', payload: '--x\r\n', shape: 'multipart without boundary' },
  {
    contentType: 'multipart/form-data; boundary=x',
    payload: '--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc',
    shape: 'multipart cut short',
  },
  { payload: '{}', shape: 'no content type' },
];

/** A multipart body with a file part of arbitrary name, filename, type and bytes. */
const multipartBodies: fc.Arbitrary<WireBody> = fc
  .record({
    field: fc.oneof(fc.constant('file'), fc.string({ maxLength: 12 })),
    filename: fc.oneof(
      fc.constantFrom('a.png', '../../x.png', 'x.pdf', '', 'a"b.png', 'ü.png', 'a\u0000.png'),
      fc.string({ maxLength: 30 }),
    ),
    type: fc.oneof(fc.constantFrom('image/png', 'application/pdf', 'text/html', ''), fc.string({ maxLength: 20 })),
    bytes: fc.uint8Array({ maxLength: 256 }),
    parts: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ field, filename, type, bytes, parts }) => {
    const boundary = 'fuzzboundary7MA4YWxkTrZu0gW';
    const clean = (text: string) => text.replace(/[\r\n"]/g, '_');
    const part = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${clean(field)}"; filename="${clean(filename)}"\r\n${type ? `Content-Type: ${clean(type)}\r\n` : ''}\r\n`,
      ),
      Buffer.from(bytes),
      Buffer.from('\r\n'),
    ]);
    const payload = Buffer.concat([...Array.from({ length: parts }, () => part), Buffer.from(`--${boundary}--\r\n`)]);
    return {
      contentType: `multipart/form-data; boundary=${boundary}`,
      payload: new Uint8Array(payload),
      shape: `multipart ${parts} part(s)`,
    };
  });

/** Bodies for an endpoint whose valid body looks like `sample` (none: it takes no body). */
export function bodies(sample: Json | undefined, options: { multipart?: boolean } = {}): fc.Arbitrary<WireBody | undefined> {
  const asJson = (arbitrary: fc.Arbitrary<Json>, shape: string) =>
    arbitrary.map((value): WireBody => ({ contentType: json, payload: JSON.stringify(value), shape }));
  const variants: fc.WeightedArbitrary<WireBody | undefined>[] = [
    { weight: 2, arbitrary: asJson(fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>, 'any JSON') },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES) },
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: 'binary', maxLength: 200 })
        .map((payload): WireBody => ({ contentType: json, payload, shape: 'any text as JSON' })),
    },
  ];
  if (sample !== undefined) variants.push({ weight: 6, arbitrary: asJson(mutated(sample), 'the valid body, mutated') });
  else variants.push({ weight: 2, arbitrary: fc.constant(undefined) });
  if (options.multipart) variants.push({ weight: 4, arbitrary: multipartBodies });
  return fc.oneof(...variants);
}

/** A path parameter: the real value, a well-formed stranger, or anything. */
export function pathValue(real: string | undefined): fc.Arbitrary<string> {
  return fc.oneof(
    ...(real ? [{ weight: 4, arbitrary: fc.constant(real) }] : []),
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.stringMatching(/^[0-9]{16}$/) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }).map(encodeURIComponent) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%',
        '%zz',
        '%00',
        '%2e%2e',
        '%2F',
        'null',
        'undefined',
        '0',
        '-1',
        'x'.repeat(3_000),
        '%C0%AF',
        '%ED%A0%80',
      ),
    },
  );
}

/** A query string (with its `?`), mostly empty. */
export const queries: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .dictionary(fc.string({ maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 30 }), { maxKeys: 4 })
      .map((entries) => `?${new URLSearchParams(entries).toString()}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '?scope=all&scope=others',
      '?scope[a]=1',
      '?a[__proto__][b]=1',
      '?%zz=1',
      '?scope=%E0%A4%A',
      '?' + 'a=1&'.repeat(2_000),
    ),
  },
);
