/**
 * Canonical JSON (RFC 8785) for the audit log's leaf hashes: what JSON.stringify writes (toJSON honoured, undefined
 * members dropped, undefined array items and non-finite numbers as null), without whitespace and
 * with object keys sorted by code unit, so the same content always hashes the same, whatever
 * order its keys were built in or came back from PostgreSQL's jsonb.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, '') ?? 'null';
}

function serialise(input: unknown, key: string): string | undefined {
  const value = hasToJson(input) ? input.toJSON(key) : input;
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'bigint':
      throw new TypeError('canonicalJson cannot serialise a bigint');
    case 'object':
      if (Array.isArray(value)) return `[${value.map((item, index) => serialise(item, String(index)) ?? 'null').join(',')}]`;
      return `{${Object.keys(value)
        .sort()
        .flatMap((member) => {
          const text = serialise((value as Record<string, unknown>)[member], member);
          return text === undefined ? [] : [`${JSON.stringify(member)}:${text}`];
        })
        .join(',')}}`;
    default:
      // undefined, functions and symbols are left out, as JSON.stringify leaves them out.
      return undefined;
  }
}

function hasToJson(value: unknown): value is { toJSON(key: string): unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';
}
