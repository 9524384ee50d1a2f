import type { z } from 'zod';
import { AppError } from '../errors.js';

/**
 * Parses input at the edge. A failure names the field, the way a person fixing a request needs it:
 * `urgency: expected one of high, medium, low` or `unknown field: colour`.
 */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, where: 'body' | 'query'): T {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new AppError('VALIDATION_FAILED', `invalid ${where}`);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => [...issue.path, k].join('.'));
    throw new AppError('VALIDATION_FAILED', `unknown field${keys.length > 1 ? 's' : ''}: ${keys.join(', ')}`, {
      field: keys[0],
    });
  }
  const field = issue.path.join('.') || where;
  throw new AppError('VALIDATION_FAILED', `${field}: ${issue.message}`, { field });
}
