import type { NextFunction, Request, RequestHandler, Response } from 'express';
import twilio from 'twilio';
import { AppError } from '../../errors.js';

export interface SignatureOptions {
  /** The account's auth token: the HMAC key Twilio signs with. */
  authToken: string;
  /** PUBLIC_URL, without a trailing slash: the origin Twilio was told to call. */
  publicUrl: string;
}

export type WebhookParams = Record<string, unknown>;

/**
 * The URL Twilio signed: the public base plus the path and query as received. The Host header is not
 * trusted, since behind a proxy it names the proxy's upstream rather than what Twilio called.
 */
export function signedUrl(publicUrl: string, originalUrl: string): string {
  return publicUrl.replace(/\/+$/, '') + originalUrl;
}

/**
 * Twilio's signature: HMAC-SHA1 (keyed by the auth token) of the URL followed by each POST parameter's
 * name and value, names sorted, base64. Delegated to the SDK so that array parameters and encoding
 * follow Twilio's own reference implementation.
 */
export function signRequest(authToken: string, url: string, params: WebhookParams = {}): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/**
 * True when `signature` was made by Twilio for this URL and these parameters. The SDK compares in
 * constant time and accepts the URL both with and without the scheme's default port (:443, :80),
 * because Twilio signs some requests one way and some the other.
 */
export function isValidSignature(authToken: string, signature: string | undefined, url: string, params: WebhookParams): boolean {
  if (!signature) return false;
  try {
    return twilio.validateRequest(authToken, signature, url, params);
  } catch {
    // validateRequest parses the URL; a request line that does not make a URL is simply not signed.
    return false;
  }
}

/**
 * Express middleware for form-encoded Twilio webhooks. Mount it after `express.urlencoded()` and before
 * any handler: a missing or wrong signature ends in a BAD_SIGNATURE AppError (403) so nothing runs.
 */
export function verifyTwilioSignature(options: SignatureOptions): RequestHandler {
  const { authToken, publicUrl } = options;
  const middleware = function twilioSignature(req: Request, _res: Response, next: NextFunction): void {
    const signature = req.header('x-twilio-signature');
    const params = isParams(req.body) ? req.body : {};
    const url = signedUrl(publicUrl, req.originalUrl);
    if (isValidSignature(authToken, signature, url, params)) {
      next();
      return;
    }
    next(new AppError('BAD_SIGNATURE', signature ? 'X-Twilio-Signature does not match this request' : 'X-Twilio-Signature is missing'));
  };
  issued.add(middleware);
  return middleware;
}

const issued = new WeakSet<object>();

/** For the test that walks the route table: is this handler a signature check made here? */
export function isTwilioSignatureMiddleware(handler: unknown): boolean {
  return typeof handler === 'function' && issued.has(handler);
}

function isParams(body: unknown): body is WebhookParams {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}
