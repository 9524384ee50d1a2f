import type { z } from 'zod';
import type { Html } from './html.js';
import type { Viewer } from './viewer.js';

/** `staff`: coordinators and technicians (a technician sees only their own tickets); `coordinator`: coordinators only. */
export type ConsoleAccess = 'staff' | 'coordinator';

export interface ConsoleContext<Q, F> {
  viewer: Viewer;
  params: Record<string, string>;
  query: Q;
  form: F;
}

/** A whole page, one live region of it (`viewer.fragment`), or where to go after a form (303). */
export type ConsoleResult = { page: Html; status?: number } | { fragment: Html } | { redirect: string };

/** A console page or form action as data, like the API's routes: the router adds session, access and CSRF. */
export interface ConsoleRoute<Q = unknown, F = unknown> {
  method: 'get' | 'post';
  /** Express path syntax: `/tickets/:id`. */
  path: string;
  access: ConsoleAccess;
  query?: z.ZodType<Q>;
  /** The form's fields (urlencoded); `_csrf` is checked by the router and need not be declared. */
  form?: z.ZodType<F>;
  handler(ctx: ConsoleContext<Q, F>): Promise<ConsoleResult>;
}

/** Keeps each route's own types while collecting them in one list. */
export function consoleRoute<Q = unknown, F = unknown>(spec: ConsoleRoute<Q, F>): ConsoleRoute {
  return spec;
}
