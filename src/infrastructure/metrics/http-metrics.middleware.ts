import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service';

/** Times every request; the route label is the matched template (`/api/v1/appeals/:reference`), never the raw path. */
export function httpMetricsMiddleware(metrics: MetricsService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const stop = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const template = req.route?.path as string | undefined;
      stop({ method: req.method, route: template ? `${req.baseUrl}${template}` : 'unmatched', status: String(res.statusCode) });
    });
    next();
  };
}
