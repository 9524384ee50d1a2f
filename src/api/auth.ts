import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors.js';
import type { SessionRepository } from '../store/session-repository.js';
import type { Principal, TokenRepository } from '../store/token-repository.js';
import type { Access } from './route.js';
import { assertFromConsole, changesSomething, cookieOf, sameSecret, SESSION_COOKIE } from './session.js';

export interface AuthOptions {
  /** `HELPDESK_API_TOKEN`, when set: the coordinator's token, compared in constant time. */
  coordinatorToken: string | undefined;
  tokens: TokenRepository;
  sessions: SessionRepository;
  /** PUBLIC_URL: a cookie-authenticated change must come from this origin (or carry the CSRF token). */
  publicUrl: string;
}

export async function authenticate(header: string | undefined, options: AuthOptions): Promise<Principal> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) throw new AppError('UNAUTHENTICATED', 'send Authorization: Bearer <token>');
  const principal = await principalOfToken(match[1], options);
  if (!principal) throw new AppError('UNAUTHENTICATED', 'unknown or revoked token');
  return principal;
}

/** Whose token this is (the console's sign-in form asks for the same tokens), or null. */
export async function principalOfToken(
  token: string,
  options: Pick<AuthOptions, 'coordinatorToken' | 'tokens'>,
): Promise<Principal | null> {
  if (options.coordinatorToken && sameSecret(token, options.coordinatorToken)) {
    return { role: 'coordinator', technicianId: null };
  }
  const principal = await options.tokens.resolve(token);
  // The start revokes a generated coordinator token once HELPDESK_API_TOKEN is set; this holds the
  // same rule for a process that shares the database with one not yet restarted.
  if (!principal || (principal.role === 'coordinator' && options.coordinatorToken)) return null;
  return principal;
}

export function authorize(principal: Principal, access: Access): void {
  if (access === 'coordinator' && principal.role !== 'coordinator') {
    throw new AppError('FORBIDDEN', 'this needs the coordinator token');
  }
}

/**
 * The bearer token when there is one (scripts), else the console's session cookie, so that the
 * console's own pages can call the API and open the event stream without a token in the page.
 */
async function principalOf(req: Request, options: AuthOptions): Promise<Principal> {
  const sessionId = req.headers.authorization === undefined ? cookieOf(req, SESSION_COOKIE) : undefined;
  if (sessionId === undefined) return authenticate(req.headers.authorization, options);
  const session = await options.sessions.resolve(sessionId);
  if (!session) throw new AppError('UNAUTHENTICATED', 'the console session has ended: sign in again');
  if (changesSomething(req.method)) assertFromConsole(req, session, options.publicUrl);
  return session.principal;
}

export function authMiddleware(options: AuthOptions) {
  return (req: Request, res: Response, next: NextFunction) => {
    principalOf(req, options).then((principal) => {
      res.locals.principal = principal;
      next();
    }, next);
  };
}
