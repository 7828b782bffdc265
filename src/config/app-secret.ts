import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error';

const MIN_BYTES = 32;

/** Reads APP_SECRET as hex or base64 and insists on 32 bytes or more. */
export function decodeSecret(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]+$/.test(trimmed) && trimmed.length % 2 === 0 ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (bytes.length < MIN_BYTES) {
    throw new ConfigError(source, `must hold at least ${MIN_BYTES} bytes, base64 or hex (got ${bytes.length})`);
  }
  return bytes;
}

/** Outside production an unset APP_SECRET is generated once and kept in `$DATA_DIR/secret`. */
export function loadOrCreateSecret(dataDir: string): Buffer {
  const file = join(dataDir, 'secret');
  try {
    return decodeSecret(readFileSync(file, 'utf8'), `APP_SECRET (from ${file})`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(MIN_BYTES);
  writeFileSync(file, secret.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}
