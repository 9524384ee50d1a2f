import { ConnectionError, TimeoutError } from 'sequelize';

/**
 * Is this failure the database being away (retry the same email later) rather than something
 * about the email (quarantine it)? SQLSTATE classes per the PostgreSQL manual, Appendix A:
 * 08 connection exception, 53 insufficient resources, 57P01–57P03 shutdown/cannot connect now,
 * 40001 serialization failure, 40P01 deadlock (the transaction is simply tried again).
 */
export function isTransientError(err: unknown): boolean {
  if (err instanceof ConnectionError || err instanceof TimeoutError) return true;
  for (let cause: unknown = err, depth = 0; cause && depth < 4; depth++) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && /^(08|53)|^57P0[123]$|^40001$|^40P01$|^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH)$/.test(code)) {
      return true;
    }
    if (typeof message === 'string' && /Connection terminated|terminating connection|Client has encountered a connection error/i.test(message)) {
      return true;
    }
    cause = (cause as { parent?: unknown; original?: unknown; cause?: unknown }).parent ?? (cause as { cause?: unknown }).cause;
  }
  return false;
}

/** A deadlock or serialization failure: the same transaction, tried again at once, normally passes. */
export function isRetryableAtOnce(err: unknown): boolean {
  for (let cause: unknown = err, depth = 0; cause && depth < 4; depth++) {
    const { code } = cause as { code?: unknown };
    if (code === '40P01' || code === '40001') return true;
    cause = (cause as { parent?: unknown }).parent ?? (cause as { cause?: unknown }).cause;
  }
  return false;
}
