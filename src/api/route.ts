import type { z } from 'zod';
import type { Principal } from '../store/token-repository.js';

/**
 * A REST route as data: the router and the OpenAPI document are both built from the same list, so
 * the document cannot drift from the routes.
 */
export type Access = 'coordinator' | 'staff';

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
}

export interface RouteResult {
  status?: number;
  body?: unknown;
}

export interface Route<P = Record<string, string>, Q = unknown, B = unknown> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path syntax: `/tickets/:id`. */
  path: string;
  summary: string;
  tag: string;
  /** `staff`: coordinators and technicians; `coordinator`: coordinators only. */
  access: Access;
  /** Path parameters that have a form (a uuid): a malformed one is a 400 naming it, never a database error. */
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** The success status, for the document; the handler may still say 201. */
  status?: number;
  handler(ctx: RouteContext<P, Q, B>): Promise<RouteResult>;
}

/** Keeps each route's own types while collecting them in one list. */
export function route<P = Record<string, string>, Q = unknown, B = unknown>(spec: Route<P, Q, B>): Route {
  return spec as unknown as Route;
}
