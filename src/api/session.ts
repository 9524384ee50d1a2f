import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { parseCookie } from 'cookie';
import { AppError } from '../errors.js';
import type { Session } from '../store/session-repository.js';

/** The console's sign-in cookie; its value is the session id, of which the store keeps only a digest. */
export const SESSION_COOKIE = 'helpdesk_session';

export function cookieOf(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  return header ? parseCookie(header)[name] : undefined;
}

/** RFC 9110 §9.2.1: only these methods are safe; anything else changes something and needs proof of origin. */
export function changesSomething(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

/** Compared in constant time: how long a wrong guess takes says nothing about the secret. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A cookie rides along on any site's request (SameSite=Strict stops most, not an old browser or a
 * sibling subdomain), so a change authenticated by it must also show it came from the console: the
 * browser's `Origin` (Fetch standard: sent on every cross-origin and every POST) equal to
 * PUBLIC_URL's, or the session's CSRF secret that only our own pages carry.
 */
export function assertFromConsole(req: Request, session: Session, publicUrl: string, formSecret?: unknown): void {
  const origin = req.headers.origin;
  if (origin !== undefined && origin === new URL(publicUrl).origin) return;
  const sent = typeof formSecret === 'string' ? formSecret : req.headers['x-csrf-token'];
  if (typeof sent === 'string' && sameSecret(sent, session.csrf)) return;
  throw new AppError('FORBIDDEN', 'a change made with the session cookie must come from the console (Origin or CSRF token)');
}
