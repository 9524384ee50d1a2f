import type { NextFunction, Request, Response } from 'express';
import { storableText } from '../../text/storable.js';

/**
 * Every parameter of a Twilio webhook made storable (no NUL, no lone surrogate) before any handler
 * reads it. Mounted after the signature check: Twilio signs the values as it sent them, so they are
 * checked raw and cleaned only once they are known to be Twilio's. One place for every /twilio route,
 * so that no handler can store a value that Postgres refuses (22P05) and answer 500.
 */
export function storableForm(req: Request, _res: Response, next: NextFunction): void {
  const body: unknown = req.body;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    // fromEntries defines each name as an own property: a parameter called __proto__ stays a parameter.
    req.body = Object.fromEntries(Object.entries(body).map(([name, value]) => [storableText(name), storableValue(value)]));
  }
  next();
}

/** urlencoded (extended: false) gives a string, or an array of strings for a repeated name. */
function storableValue(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableValue);
  return value;
}
