import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { principalOfToken } from '../api/auth.js';
import { assertFromConsole, cookieOf, SESSION_COOKIE } from '../api/session.js';
import { parseInput } from '../api/validate.js';
import { AppError, isAppError } from '../errors.js';
import type { Session } from '../store/session-repository.js';
import type { ConsoleDeps } from './deps.js';
import type { Html } from './html.js';
import { common } from './i18n.js';
import { errorPage } from './layout.js';
import { consolePages } from './pages/index.js';
import { loginPage } from './pages/login.js';
import { offerLinkRouter } from './pages/offer.js';
import { knowledgeRouter } from './pages/kb.js';
import { approvalRouter } from './pages/approval.js';
import type { ConsoleResult, ConsoleRoute } from './route.js';
import { languageOf, type Viewer } from './viewer.js';

/**
 * The assets live beside the sources, not in dist/: `tsc` copies no CSS, and the same path works
 * whether the gateway runs its compiled JavaScript or its TypeScript through tsx.
 */
const ASSETS = fileURLToPath(new URL('../../src/console/assets/', import.meta.url));
const require = createRequire(import.meta.url);
/** Third-party files the pages load, served from node_modules: the desk may have no internet. */
const VENDOR: Record<string, string> = {
  'uplot.js': require.resolve('uplot/dist/uPlot.iife.min.js'),
  'uplot.css': require.resolve('uplot/dist/uPlot.min.css'),
};

/**
 * No inline script or style anywhere, so the policy can forbid both: an injected `<script>` or
 * `onerror=` that slipped past the templates' escaping still would not run.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.set({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    // The /o/<code> links are capabilities: no page of ours hands its URL to another site.
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  });
  next();
}

const FORM_LIMIT = '100kb';
const loginForm = z.object({ token: z.string().max(500) });

function sessionCookieOptions(publicUrl: string) {
  return { httpOnly: true, sameSite: 'strict' as const, secure: publicUrl.startsWith('https:'), path: '/' };
}

function send(res: Response, status: number, page: Html): void {
  res.status(status).type('html').set('Cache-Control', 'no-store').send(page.value);
}

/** Without the `_csrf` the router checked: the route's own schema names only its fields. */
function withoutCsrf(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null) return {};
  return Object.fromEntries(Object.entries(body).filter(([key]) => key !== '_csrf'));
}

export function createConsoleRouter(deps: ConsoleDeps): Router {
  const router = express.Router();
  const fallbackLanguage = deps.config.language;
  const cookieOptions = sessionCookieOptions(deps.config.publicUrl);
  router.use(securityHeaders);
  router.use('/assets', express.static(ASSETS, { fallthrough: false, index: false, maxAge: '1h' }));
  router.get('/vendor/:file', (req, res, next) => {
    const file = VENDOR[req.params.file];
    if (!file) return next(new AppError('NOT_FOUND', 'no such asset'));
    res.sendFile(file, { maxAge: '1d' });
  });
  const forms = express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 200 });

  router.get('/login', (req, res) => {
    send(res, 200, loginPage(languageOf(req, res, fallbackLanguage), false));
  });
  router.post('/login', forms, (req, res, next) => {
    const lang = languageOf(req, res, fallbackLanguage);
    Promise.resolve()
      .then(async () => {
        const { token } = parseInput(loginForm, req.body, 'body');
        const principal = await principalOfToken(token.trim(), { coordinatorToken: deps.config.apiToken, tokens: deps.store.tokens });
        if (!principal) return send(res, 401, loginPage(lang, true));
        const session = await deps.store.sessions.open(principal);
        res.cookie(SESSION_COOKIE, session.id, cookieOptions);
        res.redirect(303, '/');
      })
      .catch(next);
  });
  // The offer links of the technicians' phones: no session, the code is the proof (pages/offer.ts).
  router.use(offerLinkRouter(deps, { forms, sessionCookie: cookieOptions }));
  // The knowledge base's public pages and the requesters' article links: no session either (pages/kb.ts).
  router.use(knowledgeRouter(deps, { forms }));
  // The approvers' links to a service request (#17): no session either, the code is the proof (pages/approval.ts).
  router.use(approvalRouter(deps, { forms }));
  router.post('/logout', forms, (req, res, next) => {
    Promise.resolve()
      .then(async () => {
        const id = cookieOf(req, SESSION_COOKIE);
        const session = id ? await deps.store.sessions.resolve(id) : null;
        if (id && session) {
          assertFromConsole(req, session, deps.config.publicUrl, csrfFieldOf(req.body));
          await deps.store.sessions.end(id);
        }
        res.clearCookie(SESSION_COOKIE, cookieOptions);
        res.redirect(303, '/login');
      })
      .catch(next);
  });

  for (const route of consolePages(deps)) {
    const handlers = route.method === 'post' ? [forms] : [];
    router[route.method](route.path, ...handlers, (req: Request, res: Response, next: NextFunction) => {
      res.locals.routePattern = route.path;
      serve(deps, route, req, res).catch(next);
    });
  }
  router.use(consoleErrors(deps));
  return router;
}

function csrfFieldOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? Reflect.get(body, '_csrf') : undefined;
}

async function serve(deps: ConsoleDeps, route: ConsoleRoute, req: Request, res: Response): Promise<void> {
  const id = cookieOf(req, SESSION_COOKIE);
  const session = id ? await deps.store.sessions.resolve(id) : null;
  if (!session) {
    // A page asked for without a session leads to the sign-in; a form posted without one is refused.
    if (route.method === 'get') return res.redirect(303, '/login');
    throw new AppError('UNAUTHENTICATED', 'the console session has ended: sign in again');
  }
  const viewer = viewerOf(deps, req, res, session);
  res.locals.viewer = viewer;
  if (route.access === 'coordinator' && viewer.principal.role !== 'coordinator') {
    throw new AppError('FORBIDDEN', 'this page is for the coordinator');
  }
  if (route.method === 'post') assertFromConsole(req, session, deps.config.publicUrl, csrfFieldOf(req.body));
  const query = route.query ? parseInput(route.query, req.query, 'query') : {};
  const form = route.form ? parseInput(route.form, withoutCsrf(req.body), 'body') : {};
  const params = Object.fromEntries(Object.entries(req.params).map(([k, v]) => [k, String(v)]));
  respond(res, await route.handler({ viewer, params, query, form }));
}

function viewerOf(deps: ConsoleDeps, req: Request, res: Response, session: Session): Viewer {
  const fragment = req.headers['x-console-fragment'];
  return {
    principal: session.principal,
    lang: languageOf(req, res, deps.config.language),
    csrf: session.csrf,
    timezone: deps.config.timezone,
    url: req.originalUrl,
    fragment: typeof fragment === 'string' && /^[a-z0-9-]{1,40}$/.test(fragment) ? fragment : null,
  };
}

/** express.static's 404 and body-parser's 413 carry their status; anything else unknown is ours to fix. */
function clientErrorStatus(err: unknown): number | undefined {
  const status: unknown = typeof err === 'object' && err !== null ? Reflect.get(err, 'status') : undefined;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function respond(res: Response, result: ConsoleResult): void {
  // The live layer asks for regions of the same URL: a cache must not hand one for the other.
  res.vary('X-Console-Fragment');
  if ('redirect' in result) return res.redirect(303, result.redirect);
  if ('fragment' in result) return send(res, 200, result.fragment);
  send(res, result.status ?? 200, result.page);
}

/** An error on a console path is a page in the frame (or the sign-in form), never the API's JSON. */
function consoleErrors(deps: ConsoleDeps) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const appError = isAppError(err) ? err : null;
    const status = appError?.status ?? clientErrorStatus(err) ?? 500;
    if (status >= 500) deps.log.error({ err, path: req.path }, 'console page failed');
    const viewer = res.locals.viewer as Viewer | undefined;
    const lang = viewer?.lang ?? languageOf(req, res, deps.config.language);
    if (status === 401) return send(res, 401, loginPage(lang, false));
    // Before a session is known (an asset, a form too large to read): a short answer, no frame.
    if (!viewer)
      return void res
        .status(status)
        .type('text')
        .send(status === 404 ? 'not found' : 'refused');
    const t = common(lang);
    const message = status === 403 ? t.forbidden : status === 404 ? t.notFound : status >= 500 ? t.error : (appError?.message ?? t.error);
    send(res, status, errorPage(viewer, message));
  };
}
