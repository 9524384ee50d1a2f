import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import { AppError } from '../errors.js';
import type { Principal } from '../store/token-repository.js';
import { authMiddleware, authorize, type AuthOptions } from './auth.js';
import type { Route } from './route.js';
import { storableText } from '../text/storable.js';
import { parseInput } from './validate.js';

export const BODY_LIMIT = '1mb';

/** RFC 9110 §6.4.1: a request has content when it says how long it is (and that is not 0) or that it is chunked. */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A form-encoded body would be read as JSON field by field into confusing errors; say what is wanted instead (RFC 9110 §15.5.16). */
function requireJson(req: Request, _res: Response, next: NextFunction): void {
  if (!hasBody(req) || req.is('application/json')) return next();
  const got = (req.headers['content-type'] ?? 'none').slice(0, 100);
  next(new AppError('UNSUPPORTED_MEDIA_TYPE', `send the body as JSON with Content-Type: application/json (got ${got})`, { field: 'body' }));
}

/**
 * Mounts each route of the table behind authentication, its access rule and its schemas. The token
 * is checked before the body is read: an anonymous client cannot make the gateway parse a megabyte.
 */
export function buildRouter(routes: Route[], auth: AuthOptions): Router {
  const router = express.Router();
  router.use(authMiddleware(auth));
  router.use(requireJson);
  // strict: false so that a body of `null` or `42` reaches the schema, which names what is wrong.
  router.use(express.json({ limit: BODY_LIMIT, strict: false }));
  for (const r of routes) {
    router[r.method](r.path, (req: Request, res: Response, next: NextFunction) => {
      const principal = res.locals.principal as Principal;
      res.locals.routePattern = `${req.baseUrl}${r.path}`;
      Promise.resolve()
        .then(async () => {
          authorize(principal, r.access);
          const params = r.params
            ? parseInput(r.params, req.params, 'path')
            : Object.fromEntries(Object.entries(req.params).map(([k, v]) => [k, storableText(String(v))]));
          const query = r.query ? parseInput(r.query, req.query, 'query') : {};
          const body = r.body ? parseInput(r.body, req.body, 'body') : {};
          const result = await r.handler({ params, query, body, principal });
          if (result.body === undefined) res.status(result.status ?? 204).end();
          else res.status(result.status ?? 200).json(result.body);
        })
        .catch(next);
    });
  }
  return router;
}
