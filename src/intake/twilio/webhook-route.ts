import type { Request, Response } from 'express';

/**
 * A Twilio webhook as data: router.ts mounts each one behind the form parser and the signature
 * check, so that no route can be added without them.
 */
export interface WebhookRoute {
  /** Under /twilio. */
  path: string;
  handle(req: Request, res: Response): Promise<void>;
}

/** The parsed form; an empty object when the request had none (or not form-encoded). */
export function formOf(req: Request): Readonly<Record<string, unknown>> {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** A single text parameter; repeated or missing parameters read as undefined. */
export function param(form: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = form[name];
  return typeof value === 'string' ? value : undefined;
}

export function sendTwiml(res: Response, twiml: string): void {
  res.type('text/xml').send(twiml);
}
