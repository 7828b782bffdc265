import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { ATTACHMENT_RULES } from './attachment-inspector';

/** What the upload middleware leaves for the handler. */
export interface UploadRequest extends Request {
  file?: Express.Multer.File;
  /** Set when the file was over the size limit: the page says so beside the field (413). */
  uploadTooLarge?: boolean;
}

const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: ATTACHMENT_RULES.maxBytes, files: 1, fields: 4 } }).single('file');

/**
 * Parses the pages' multipart uploads before the guards run, so the CSRF guard finds the form's
 * `_csrf` field (it precedes the file in the form). A file over the limit is not an error page:
 * the handler shows the upload form again with the reason.
 */
@Injectable()
export class AppealPageUploadMiddleware implements NestMiddleware {
  use(request: UploadRequest, response: Response, next: NextFunction): void {
    upload(request, response, (error?: unknown) => {
      if (error instanceof multer.MulterError && error.code === 'LIMIT_FILE_SIZE') {
        request.uploadTooLarge = true;
        return next();
      }
      next(error);
    });
  }
}
