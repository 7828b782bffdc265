import { canonicalJson } from './canonical-json';

describe(canonicalJson.name, () => {
  it('sorts keys at every depth and leaves no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('gives the same text whatever order the keys were built in', () => {
    expect(canonicalJson({ x: 1, y: 2, '10': 3, '2': 4 })).toBe(canonicalJson({ '2': 4, y: 2, '10': 3, x: 1 }));
    // Sorted by code unit, not in JavaScript's integer-keys-first order.
    expect(canonicalJson({ b: 1, '10': 2, '2': 3 })).toBe('{"10":2,"2":3,"b":1}');
  });

  it('writes what JSON.stringify would for values without a JSON form', () => {
    expect(canonicalJson({ gone: undefined, fn: () => 1, list: [undefined, Number.NaN, Infinity] })).toBe('{"list":[null,null,null]}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('honours toJSON, so dates become ISO strings as they would in jsonb', () => {
    expect(canonicalJson({ at: new Date('2026-01-02T03:04:05.678Z') })).toBe('{"at":"2026-01-02T03:04:05.678Z"}');
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson({ 'k"ey': 'line\nbreak "quoted" 中文' })).toBe(JSON.stringify({ 'k"ey': 'line\nbreak "quoted" 中文' }));
  });

  it('reads back to the same text after a JSON round trip', () => {
    const value = { n: 0.1, big: 1e21, neg: -0, nested: { arr: [1, 'two', false] } };
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
  });
});
