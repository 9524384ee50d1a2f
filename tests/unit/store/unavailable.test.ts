import { ConnectionAcquireTimeoutError, ConnectionRefusedError, DatabaseError, UniqueConstraintError } from 'sequelize';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, isRetryableAtOnce, isTransientError } from '../../../src/store/unavailable.js';

/** A pg error as the driver makes it: a message and a SQLSTATE code. */
function pgError(code: string, message = 'error'): Error & { code: string; sql: string; parameters: unknown[] } {
  return Object.assign(new Error(message), { code, sql: 'SELECT 1', parameters: [] });
}

describe('isDatabaseUnavailable: the database away, not this statement refused', () => {
  it.each([
    [
      'a refused connection',
      new ConnectionRefusedError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })),
    ],
    ['a pool acquire timeout', new ConnectionAcquireTimeoutError(new Error('Operation timeout'))],
    ['57P01 in the middle of a statement', new DatabaseError(pgError('57P01', 'terminating connection due to administrator command'))],
    ['57P02 crash shutdown', new DatabaseError(pgError('57P02', 'terminating connection because of crash of another server process'))],
    ['57P03 cannot connect now', pgError('57P03', 'the database system is starting up')],
    ['08006 connection failure', new DatabaseError(pgError('08006'))],
    ['53300 too many connections', pgError('53300', 'sorry, too many clients already')],
    ['a reset socket', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['the driver losing its connection', new Error('Connection terminated unexpectedly')],
    ['a postmaster crash', new Error('terminating connection due to unexpected postmaster exit')],
  ])('%s', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(isTransientError(err)).toBe(true);
  });

  it.each([
    ['a unique violation', new UniqueConstraintError({ message: 'duplicate key' })],
    ['an invalid uuid', new DatabaseError(pgError('22P02', 'invalid input syntax for type uuid'))],
    ['a NUL in text', new DatabaseError(pgError('22P05', 'unsupported Unicode escape sequence'))],
    ['a bug', new TypeError('x is undefined')],
    ['not an error', 'ECONNREFUSED'],
  ])('%s is not', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });

  it('tells a deadlock apart: retried at once, not "unavailable"', () => {
    const deadlock = new DatabaseError(pgError('40P01', 'deadlock detected'));
    expect(isDatabaseUnavailable(deadlock)).toBe(false);
    expect(isRetryableAtOnce(deadlock)).toBe(true);
    expect(isTransientError(deadlock)).toBe(true);
  });
});
