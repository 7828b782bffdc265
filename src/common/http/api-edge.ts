import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../errors/domain-error';

/**
 * Paths of the JSON API. The API docs (`/api/docs`) are pages of their own and not covered.
 */
function isApiPath(path: string): boolean {
  return path.startsWith('/api/') && !path.startsWith('/api/docs');
}

/** The one API route that takes `multipart/form-data` (field `file`). */
const UPLOAD = /^\/api\/v1\/appeals\/[^/]+\/attachments\/?$/;

/** Whether the request carries a body (a `Content-Length` above 0, or a chunked one). */
function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length'] ?? 0);
  return Number.isFinite(length) && length > 0;
}

/**
 * The JSON API reads and sets no cookie and takes JSON bodies only. A cookie would let another
 * site's page act with the browser's session (the API has no CSRF token: it needs none when it
 * only takes a bearer token), and a form body is what another site's page can post without a
 * CORS preflight: a form posted to `/api/v1/sessions` would otherwise sign the browser in as
 * someone else. Any other body type answers 415 UNSUPPORTED_MEDIA_TYPE before it is read (the
 * attachment upload excepted); a request without a body needs no Content-Type. Runs before the
 * cookie and body parsers.
 */
export function apiEdge() {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!isApiPath(req.path)) return next();
    delete req.headers.cookie;
    const setHeader = res.setHeader.bind(res);
    // Nothing under /api sets a cookie; this keeps it so whatever a handler or library would do.
    res.setHeader = (name: string, value: number | string | readonly string[]) =>
      name.toLowerCase() === 'set-cookie' ? res : setHeader(name, value);
    if (!hasBody(req)) return next();
    const wanted = UPLOAD.test(req.path) && req.method === 'POST' ? 'multipart/form-data' : 'application/json';
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type === wanted) return next();
    next(new UnsupportedBodyError(wanted));
  };
}

export class UnsupportedBodyError extends DomainError {
  constructor(wanted: string) {
    super('UNSUPPORTED_MEDIA_TYPE', `This endpoint takes ${wanted} bodies only: send the body as ${wanted} with that Content-Type.`);
  }
}
