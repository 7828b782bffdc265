/**
 * A minimal CBOR encoder (RFC 8949), enough for what an authenticator sends: unsigned and
 * negative integers, byte strings, text strings, arrays and maps (keys in the order given).
 */
export type CborValue = number | string | Uint8Array | readonly CborValue[] | Map<CborValue, CborValue>;

export function encodeCbor(value: CborValue): Buffer {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error('only integers are encoded');
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  if (value instanceof Map) {
    const parts = [head(5, value.size)];
    for (const [key, item] of value) parts.push(encodeCbor(key), encodeCbor(item));
    return Buffer.concat(parts);
  }
  return Buffer.concat([head(4, value.length), ...value.map(encodeCbor)]);
}

/** The initial byte(s): major type and argument. */
function head(major: number, argument: number): Buffer {
  const type = major << 5;
  if (argument < 24) return Buffer.from([type | argument]);
  if (argument < 0x100) return Buffer.from([type | 24, argument]);
  if (argument < 0x10000) {
    const buffer = Buffer.alloc(3);
    buffer[0] = type | 25;
    buffer.writeUInt16BE(argument, 1);
    return buffer;
  }
  const buffer = Buffer.alloc(5);
  buffer[0] = type | 26;
  buffer.writeUInt32BE(argument, 1);
  return buffer;
}
