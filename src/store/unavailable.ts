import { ConnectionError, TimeoutError } from 'sequelize';

/**
 * Is the database away, rather than refusing this particular statement? One classifier for every
 * caller: the API answers 503 (retry) instead of 500, the mail intake retries the same email later
 * instead of quarantining it. SQLSTATE classes per the PostgreSQL manual, Appendix A: 08 connection
 * exception, 53 insufficient resources (53300 too_many_connections), 57P01 admin_shutdown,
 * 57P02 crash_shutdown, 57P03 cannot_connect_now. Sequelize wraps pg's error in `parent`/`original`,
 * and a pool acquire timeout is a ConnectionError of its own.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof ConnectionError || err instanceof TimeoutError) return true;
  return someCause(err, (code, message) => {
    if (code !== undefined && /^(08|53)|^57P0[123]$|^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH)$/.test(code)) return true;
    return message !== undefined && /Connection terminated|terminating connection|Client has encountered a connection error/i.test(message);
  });
}

/** A deadlock (40P01) or serialization failure (40001): the same transaction, tried again at once, normally passes. */
export function isRetryableAtOnce(err: unknown): boolean {
  return someCause(err, (code) => code === '40P01' || code === '40001');
}

/** Worth trying again later: the database away, or a transaction that lost a race. */
export function isTransientError(err: unknown): boolean {
  return isDatabaseUnavailable(err) || isRetryableAtOnce(err);
}

function someCause(err: unknown, test: (code: string | undefined, message: string | undefined) => boolean): boolean {
  for (let cause: unknown = err, depth = 0; cause && typeof cause === 'object' && depth < 4; depth++) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (test(typeof code === 'string' ? code : undefined, typeof message === 'string' ? message : undefined)) return true;
    const next = cause as { parent?: unknown; original?: unknown; cause?: unknown };
    cause = next.parent ?? next.original ?? next.cause;
  }
  return false;
}
