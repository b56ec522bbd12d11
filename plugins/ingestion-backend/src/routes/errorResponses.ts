import type express from 'express';
import { QuotaExceededError } from '../service/QuotaExceededError';
import { SpecProblemsError } from '../spec/SpecProblemsError';

/**
 * Error handler before the standard mapping: an invalid spec answers 400 with every problem, and
 * a quota refusal that knows when to try again sends `Retry-After`.
 */
export function specProblemsAndRetryAfter(): express.ErrorRequestHandler {
  return (
    error: unknown,
    req: express.Request,
    res: express.Response,
    next: express.NextFunction,
  ) => {
    if (error instanceof SpecProblemsError && !res.headersSent) {
      // Backstage's error body (request, response) so `ResponseError` clients read it too.
      res.status(400).json({
        error: { name: 'InputError', message: error.message },
        request: { method: req.method, url: req.originalUrl },
        response: { statusCode: 400 },
        problems: error.problems,
      });
      return;
    }
    if (error instanceof QuotaExceededError && error.retryAfterSeconds) {
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
    }
    next(error);
  };
}
