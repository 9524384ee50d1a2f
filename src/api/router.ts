import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import type { Principal } from '../store/token-repository.js';
import { authMiddleware, authorize, type AuthOptions } from './auth.js';
import type { Route } from './route.js';
import { parseInput } from './validate.js';

/** Mounts each route of the table behind authentication, its access rule and its schemas. */
export function buildRouter(routes: Route[], auth: AuthOptions): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb', strict: true }));
  router.use(authMiddleware(auth));
  for (const r of routes) {
    router[r.method](r.path, (req: Request, res: Response, next: NextFunction) => {
      const principal = res.locals.principal as Principal;
      res.locals.routePattern = `${req.baseUrl}${r.path}`;
      Promise.resolve()
        .then(async () => {
          authorize(principal, r.access);
          const query = r.query ? parseInput(r.query, req.query, 'query') : {};
          const body = r.body ? parseInput(r.body, req.body, 'body') : {};
          const result = await r.handler({ params: req.params as Record<string, string>, query, body, principal });
          if (result.body === undefined) res.status(result.status ?? 204).end();
          else res.status(result.status ?? 200).json(result.body);
        })
        .catch(next);
    });
  }
  return router;
}
