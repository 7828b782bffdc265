import { ValidationFailedError } from './errors/domain-error';

/** One page of a keyset-paginated list; `next` is the cursor of the following page, null on the last. */
export interface Page<T> {
  readonly items: T[];
  readonly next: string | null;
}

/** An opaque cursor holding the sort key of the last row shown. */
export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * The sort key inside a cursor, each part checked by its pattern; anything else (edited,
 * truncated, from another list) is a validation error on `field`, never a database error.
 */
export function decodeCursor(cursor: string, parts: readonly RegExp[], field = 'after'): string[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (
    !Array.isArray(key) ||
    key.length !== parts.length ||
    !key.every((part, index) => typeof part === 'string' && parts[index].test(part))
  ) {
    throw new ValidationFailedError([{ field, message: 'is not a cursor of this list' }]);
  }
  return key as string[];
}
