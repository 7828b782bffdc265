import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { NotFoundError } from '../../common/errors/domain-error';
import { AppealPageAccess } from './appeal-page-access';
import { AppealPortalService } from './appeal-portal.service';
import { ATTACHMENT_RULES } from './attachment-inspector';

/** What the upload middleware leaves for the handler. */
export interface UploadRequest extends Request {
  file?: Express.Multer.File;
  /** Set when the file was over the size limit: the page says so beside the field (413). */
  uploadTooLarge?: boolean;
}

/** Where a browser without valid appeal credentials is sent: the page that asks for them. */
const STATUS_PAGE = '/appeal/status';

const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: ATTACHMENT_RULES.maxBytes, files: 1, fields: 4 } }).single(
  'file',
);

/**
 * Parses the pages' multipart uploads before the guards run, so the CSRF guard finds the form's
 * `_csrf` field (it precedes the file in the form). A file over the limit is not an error page:
 * the handler shows the upload form again with the reason. The appeal's cookie is checked
 * first, as the JSON API checks its token: without valid credentials nothing of the (up to
 * 10 MB) body is read, and the browser goes to the status page, which asks for them.
 */
@Injectable()
export class AppealPageUploadMiddleware implements NestMiddleware {
  constructor(
    private readonly access: AppealPageAccess,
    private readonly portal: AppealPortalService,
  ) {}

  async use(request: UploadRequest, response: Response, next: NextFunction): Promise<void> {
    const credentials = this.access.read(request);
    try {
      if (credentials) await this.portal.authorize(credentials);
    } catch (error) {
      if (!(error instanceof NotFoundError)) return next(error);
      return response.redirect(303, STATUS_PAGE);
    }
    if (!credentials) return response.redirect(303, STATUS_PAGE);
    upload(request, response, (error?: unknown) => {
      if (error instanceof multer.MulterError && error.code === 'LIMIT_FILE_SIZE') {
        request.uploadTooLarge = true;
        return next();
      }
      next(error);
    });
  }
}
