import { AttachmentContentType } from './entities/appeal-attachment.entity';

/** docs/product.md, Appeals: up to 5 files of 10 MB, JPEG, PNG or PDF by content. */
export const ATTACHMENT_RULES = { maxFiles: 5, maxBytes: 10 * 1024 * 1024 } as const;

const ACCEPTED: Readonly<Record<string, { type: AttachmentContentType; extension: string }>> = {
  'image/jpeg': { type: 'image/jpeg', extension: 'jpg' },
  'image/png': { type: 'image/png', extension: 'png' },
  'application/pdf': { type: 'application/pdf', extension: 'pdf' },
};

const MAX_NAME = 100;

/**
 * The type of a file from its first bytes (file-type), whatever its name or the client says;
 * undefined unless it is one of the accepted types. file-type is an ES module only: loaded with
 * a native dynamic import (cached by Node after the first). Its `./node` entry is the same file
 * as `.` but also has a `default` condition, which jest's CommonJS resolver needs.
 */
export async function acceptedTypeOf(content: Buffer): Promise<{ type: AttachmentContentType; extension: string } | undefined> {
  const { fileTypeFromBuffer } = await import('file-type/node');
  const detected = await fileTypeFromBuffer(content);
  return detected ? ACCEPTED[detected.mime] : undefined;
}

/**
 * A name safe to store and to offer back in `Content-Disposition`: the last path segment only
 * (no `../`, no directories from either kind of slash), letters, digits, dot, dash, underscore
 * and space, no leading dots, at most 100 characters, and the extension of the real content.
 */
export function sanitiseFilename(original: string | undefined, extension: string): string {
  const base = (original ?? '').split(/[\\/]/).pop() ?? '';
  const stem = base
    .normalize('NFKC')
    .replace(/\.[^.]*$/, '')
    .replace(/[^\p{L}\p{N} ._-]+/gu, '_')
    .replace(/^[.\s_]+/, '')
    .replace(/[.\s]+$/, '')
    .slice(0, MAX_NAME - extension.length - 1);
  return `${stem || 'attachment'}.${extension}`;
}
