import type { NextFunction, Request, Response } from 'express';
import { AppError, isAppError } from '../errors.js';
import type { Logger } from '../log.js';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

/** Every failure leaves as `{"error": {"code", "message"}}`; a 5xx never leaks internals. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const appError = toAppError(err);
    if (appError.status >= 500) log.error({ err, path: req.path }, 'request failed');
    res.status(appError.status).json({
      error: { code: appError.code, message: appError.message, ...(appError.details ?? {}) },
    });
  };
}

// A database that restarts or drops connections is a passing condition: say so with a 503 the
// client may retry, rather than a 500 that reads like a bug.
const UNAVAILABLE = /^Sequelize(Connection\w*Error|HostNotReachableError|HostNotFoundError|ConnectionAcquireTimeoutError)$/;

function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  if (err instanceof Error && UNAVAILABLE.test(err.name)) {
    return new AppError('NOT_READY', 'the database is not answering; nothing was changed, retry shortly');
  }
  const parserError = err as BodyParserError;
  if (parserError?.type === 'entity.parse.failed') {
    return new AppError('MALFORMED_JSON', `the body is not valid JSON: ${parserError.message}`, { field: 'body' });
  }
  if (parserError?.type === 'entity.too.large') {
    return new AppError('VALIDATION_FAILED', 'the body is too large', { field: 'body' });
  }
  if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return new AppError('VALIDATION_FAILED', parserError.message, { field: 'body' });
  }
  return new AppError('INTERNAL', 'something went wrong on our side; it has been logged');
}
