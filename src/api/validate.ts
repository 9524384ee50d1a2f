import type { z } from 'zod';
import { AppError } from '../errors.js';
import { storableText } from '../text/storable.js';

export type InputPlace = 'body' | 'query' | 'path';

/** Deeper than any shape the API takes; a hostile `[[[[…` is refused before anything recurses into it. */
const MAX_DEPTH = 32;

/**
 * Every string the API takes, made storable (no NUL, no lone surrogate: Postgres refuses both with
 * 22P05) before any schema or use case sees it; keys too, since an unknown key is echoed back.
 * Object.fromEntries defines own properties, so a `__proto__` key stays a plain (unknown) key.
 */
function storableInput(value: unknown, where: InputPlace, depth = 0): unknown {
  if (typeof value === 'string') return storableText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) {
    throw new AppError('VALIDATION_FAILED', `${where}: nested deeper than ${MAX_DEPTH} levels`, { field: where });
  }
  if (Array.isArray(value)) return value.map((v) => storableInput(v, where, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableInput(v, where, depth + 1)]));
}

/**
 * Parses input at the edge. A failure names the field, the way a person fixing a request needs it:
 * `urgency: expected one of high, medium, low` or `unknown field: colour`. An unknown field is
 * reported first: a misspelt `requiredSkils` is the cause of the `requiredSkills` that is missing.
 */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, where: InputPlace): T {
  // No body at all is an empty object; a body of `null` is a value, and the schema says what is wrong with it.
  const result = schema.safeParse(storableInput(input === undefined ? {} : input, where));
  if (result.success) return result.data;
  const issue = result.error.issues.find((i) => i.code === 'unrecognized_keys') ?? result.error.issues[0];
  if (!issue) throw new AppError('VALIDATION_FAILED', `invalid ${where}`);
  if (issue.code === 'unrecognized_keys') {
    // A hostile key may be a megabyte long: name it, but not all of it.
    const keys = issue.keys.map((k) => [...issue.path, k.length > 100 ? `${k.slice(0, 100)}…` : k].join('.'));
    throw new AppError('VALIDATION_FAILED', `unknown field${keys.length > 1 ? 's' : ''}: ${keys.join(', ')}`, {
      field: keys[0],
    });
  }
  const field = issue.path.join('.') || where;
  throw new AppError('VALIDATION_FAILED', `${field}: ${issue.message}`, { field });
}
