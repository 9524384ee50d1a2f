import { DatabaseError, UniqueConstraintError } from 'sequelize';
import { describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../../../src/store/conflict.js';

describe('isUniqueViolation', () => {
  it('recognises a unique index refusing a write, as Sequelize and pg report it', () => {
    expect(
      isUniqueViolation(new UniqueConstraintError({ message: 'duplicate key value violates unique constraint "technicians_phone_idx"' })),
    ).toBe(true);
    const pgError = Object.assign(new Error('duplicate key'), { code: '23505', sql: 'INSERT', parameters: [] });
    expect(isUniqueViolation(new DatabaseError(pgError))).toBe(true);
  });

  it('leaves every other failure alone', () => {
    const fk = Object.assign(new Error('violates foreign key constraint'), { code: '23503', sql: 'INSERT', parameters: [] });
    expect(isUniqueViolation(new DatabaseError(fk))).toBe(false);
    expect(isUniqueViolation(new Error('boom'))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
  });
});
