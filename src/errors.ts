/**
 * The one registry of error codes. Every error the gateway reports to a caller is an AppError with a
 * code from this table; the HTTP status and whether a retry may help are properties of the code,
 * never decided at the throw site.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, retryable: false },
  MALFORMED_JSON: { status: 400, retryable: false },
  UNAUTHENTICATED: { status: 401, retryable: false },
  FORBIDDEN: { status: 403, retryable: false },
  BAD_SIGNATURE: { status: 403, retryable: false },
  NOT_FOUND: { status: 404, retryable: false },
  TICKET_NOT_FOUND: { status: 404, retryable: false },
  TECHNICIAN_NOT_FOUND: { status: 404, retryable: false },
  OUTAGE_NOT_FOUND: { status: 404, retryable: false },
  PROBLEM_NOT_FOUND: { status: 404, retryable: false },
  NOTIFICATION_NOT_FOUND: { status: 404, retryable: false },
  ARTICLE_NOT_FOUND: { status: 404, retryable: false },
  CONFLICT: { status: 409, retryable: false },
  ILLEGAL_TRANSITION: { status: 409, retryable: false },
  RESOLUTION_REQUIRED: { status: 422, retryable: false },
  COMMENT_REQUIRED: { status: 422, retryable: false },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false },
  UNPROCESSABLE: { status: 422, retryable: false },
  TELEPHONY_DISABLED: { status: 503, retryable: true },
  NOT_READY: { status: 503, retryable: true },
  INTERNAL: { status: 500, retryable: true },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
