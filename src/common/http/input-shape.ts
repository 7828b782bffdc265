import type { NextFunction, Request, Response } from 'express';
import { FieldError, ValidationFailedError } from '../errors/domain-error';

/** Deeper than any body of the API (an appeal's `evidence.resourceIds` is 3 levels down). */
export const MAX_BODY_DEPTH = 16;

/**
 * Refuses, with 400 VALIDATION_FAILED, parsed input no handler can use and that would otherwise
 * fail as a 500 further in: a body nested deeper than `maxDepth` (the size limit alone lets 64 kB
 * of brackets through, and the validation pipe's recursive walks overflow the stack on them), and
 * in any string or key of the body or the query, a U+0000 (PostgreSQL text cannot hold it) or a
 * lone surrogate (`"\ud800"` in JSON: validator's isEmail throws on it, and PostgreSQL would
 * store U+FFFD in its place); and a key named like a member of every object (`__proto__`,
 * `constructor`, `prototype`, `toString`...): no DTO declares one, yet the validation pipe's
 * whitelist passed them silently, and code that copies a body could be made to change prototypes.
 */
export function inputShapeGuard(maxDepth = MAX_BODY_DEPTH) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const errors = [...shapeErrors(req.body, maxDepth), ...shapeErrors(req.query, maxDepth)];
    next(errors.length ? new ValidationFailedError(errors.slice(0, 10)) : undefined);
  };
}

/** What is wrong with `value`'s shape, each with its dotted path; an explicit stack, so any depth is walked safely. */
export function shapeErrors(value: unknown, maxDepth: number): FieldError[] {
  const errors: FieldError[] = [];
  const pending: { node: unknown; depth: number; path: string }[] = [{ node: value, depth: 1, path: '' }];
  for (let entry = pending.pop(); entry; entry = pending.pop()) {
    const { node, depth, path } = entry;
    if (typeof node === 'string') {
      const fault = textFault(node);
      if (fault) errors.push({ field: path, message: fault });
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxDepth) return [{ field: '', message: `is nested deeper than ${maxDepth} levels` }];
    for (const [key, child] of Object.entries(node)) {
      const childPath = path ? `${path}.${key}` : key;
      const fault = textFault(key) ?? keyFault(key);
      if (fault) errors.push({ field: childPath, message: fault });
      else pending.push({ node: child, depth: depth + 1, path: childPath });
    }
  }
  return errors;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Names every object answers to: a body or query never needs one as a key. */
const RESERVED_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

function keyFault(key: string): string | undefined {
  return RESERVED_KEYS.has(key) ? 'is not an accepted property name' : undefined;
}

function textFault(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain a NUL character';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode text';
  return undefined;
}
