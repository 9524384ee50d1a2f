import { UniqueConstraintError } from 'sequelize';

/**
 * A unique index refused the write (SQLSTATE 23505): the request collides with what is stored (two
 * technicians with one phone, asked at the same moment), which a caller hears as a 409, not a 500.
 */
export function isUniqueViolation(err: unknown): boolean {
  if (err instanceof UniqueConstraintError) return true;
  const { code, parent } = (err ?? {}) as { code?: unknown; parent?: { code?: unknown } };
  return code === '23505' || parent?.code === '23505';
}
