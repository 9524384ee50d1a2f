import type { NextFunction, Request, Response } from 'express';
import type { Language } from '../domain/values.js';
import { isAppError } from '../errors.js';
import type { ConsoleDeps } from './deps.js';
import { html, type Html } from './html.js';
import { bareLayout } from './layout.js';
import { languageOf } from './viewer.js';

/**
 * The pages a link opens by itself, its code being the key (an article's self-service link, an
 * approval link): no sign-in, never cached, and no referrer beyond the desk.
 */
export function sendCapabilityPage(res: Response, status: number, page: Html): void {
  // The form must carry its Origin (no-referrer would send `Origin: null`); the URL, a capability, goes to no other site.
  res.status(status).type('html').set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'same-origin' }).send(page.value);
}

/** A page that only says what happened. */
export function messagePage(lang: Language, title: string, message: string): Html {
  return bareLayout(lang, {
    title,
    body: html`<h1>${title}</h1>
      <p role="status">${message}</p>`,
  });
}

export interface CapabilityErrors {
  /** The route as logged: the console's error handler logs the path, which holds the code. */
  route(res: Response): string;
  /** "approval page", for the log. */
  what: string;
  /** The page of a failure on our side, and of a refusal. */
  failed(lang: Language): Html;
  refused(lang: Language): Html;
}

/** The error handler of such pages: logged by route, never by path, and answered with a page in the reader's language. */
export function capabilityErrors(deps: ConsoleDeps, o: CapabilityErrors) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const status = isAppError(err) ? err.status : 500;
    if (status >= 500) deps.log.error({ err, route: o.route(res) }, `${o.what} failed`);
    const lang = languageOf(req, res, deps.config.language);
    sendCapabilityPage(res, status >= 500 ? 500 : status, status >= 500 ? o.failed(lang) : o.refused(lang));
  };
}
