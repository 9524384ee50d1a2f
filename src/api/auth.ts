import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors.js';
import type { Principal, TokenRepository } from '../store/token-repository.js';
import type { Access } from './route.js';

export interface AuthOptions {
  /** `HELPDESK_API_TOKEN`, when set: the coordinator's token, compared in constant time. */
  coordinatorToken: string | undefined;
  tokens: TokenRepository;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function authenticate(header: string | undefined, options: AuthOptions): Promise<Principal> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) throw new AppError('UNAUTHENTICATED', 'send Authorization: Bearer <token>');
  const token = match[1];
  if (options.coordinatorToken && sameSecret(token, options.coordinatorToken)) {
    return { role: 'coordinator', technicianId: null };
  }
  const principal = await options.tokens.resolve(token);
  if (!principal) throw new AppError('UNAUTHENTICATED', 'unknown or revoked token');
  // The start revokes a generated coordinator token once HELPDESK_API_TOKEN is set; this holds the
  // same rule for a process that shares the database with one not yet restarted.
  if (principal.role === 'coordinator' && options.coordinatorToken) {
    throw new AppError('UNAUTHENTICATED', 'unknown or revoked token');
  }
  return principal;
}

export function authorize(principal: Principal, access: Access): void {
  if (access === 'coordinator' && principal.role !== 'coordinator') {
    throw new AppError('FORBIDDEN', 'this needs the coordinator token');
  }
}

export function authMiddleware(options: AuthOptions) {
  return (req: Request, res: Response, next: NextFunction) => {
    authenticate(req.headers.authorization, options).then((principal) => {
      res.locals.principal = principal;
      next();
    }, next);
  };
}
