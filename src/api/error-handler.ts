import type { NextFunction, Request, Response } from 'express';
import { AppError, isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import { isUniqueViolation } from '../store/conflict.js';
import { isDatabaseUnavailable, isRetryableAtOnce } from '../store/unavailable.js';
import { BODY_LIMIT } from './router.js';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

/** Every failure leaves as `{"error": {"code", "message"}}`; a 5xx never leaks internals. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const appError = toAppError(err);
    if (appError.status >= 500) {
      if (appError.retryable) log.warn({ err, path: req.path }, 'request refused for now');
      else log.error({ err, path: req.path }, 'request failed');
    }
    res.status(appError.status).json({
      error: { code: appError.code, message: appError.message, ...(appError.details ?? {}) },
    });
  };
}

function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  // A database that restarts, crashes or drops connections (even in the middle of this request's
  // statement: 57P01) is a passing condition: a 503 the client may retry, not a 500 that reads like a bug.
  if (isDatabaseUnavailable(err)) {
    return new AppError('NOT_READY', 'the database is not answering; nothing was changed, retry shortly');
  }
  if (isRetryableAtOnce(err)) {
    return new AppError('NOT_READY', 'a change made at the same moment got in the way; nothing was changed, retry');
  }
  if (isUniqueViolation(err)) {
    return new AppError(
      'CONFLICT',
      'this collides with something already stored (another request may have just made it); nothing was changed',
    );
  }
  const parserError = err as BodyParserError;
  switch (parserError?.type) {
    case 'entity.parse.failed':
      return new AppError('MALFORMED_JSON', `the body is not valid JSON: ${parserError.message}`, { field: 'body' });
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE', `the body is larger than ${BODY_LIMIT}`, { field: 'body' });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', `${parserError.message}: send UTF-8 JSON`, { field: 'body' });
  }
  // Another 4xx of the framework: a body the parser refused otherwise, or a path that is not valid percent-encoding.
  if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return new AppError('VALIDATION_FAILED', parserError.message, parserError.type ? { field: 'body' } : undefined);
  }
  return new AppError('INTERNAL', 'something went wrong on our side; it has been logged');
}
