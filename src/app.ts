import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Config } from './config/index.js';
import type { Logger } from './log.js';
import { metricsEndpoint, type Metrics } from './metrics.js';
import type { Store } from './store/index.js';
import type { TicketDeps } from './tickets/deps.js';
import { buildOpenApi } from './api/openapi.js';
import { buildRouter } from './api/router.js';
import { errorHandler } from './api/error-handler.js';
import type { Route } from './api/route.js';
import { ticketRoutes } from './api/routes/tickets.js';
import { technicianRoutes } from './api/routes/technicians.js';
import { deskRoutes } from './api/routes/desk.js';
import { suggestionRoutes } from './api/routes/suggestions.js';
import { notificationRoutes } from './api/routes/notifications.js';
import { ruleRoutes } from './api/routes/rules.js';
import { staffingRoutes } from './api/routes/staffing.js';
import { filteredRoutes } from './api/routes/filtered.js';
import { problemRoutes } from './api/routes/problems.js';
import { articleRoutes } from './api/routes/articles.js';
import { catalogRoutes } from './api/routes/catalog.js';
import { requestRoutes } from './api/routes/requests.js';
import { AppError } from './errors.js';
import { authMiddleware } from './api/auth.js';
import { streamRoute } from './api/stream/route.js';
import type { StreamHub } from './api/stream/hub.js';
import { createConsoleRouter } from './console/router.js';

export interface Readiness {
  /** Each dependency's state; any `false` makes /ready answer 503. */
  check(): Promise<Record<string, boolean | Record<string, unknown>>>;
}

export interface AppDeps {
  config: Pick<Config, 'apiToken' | 'publicUrl' | 'metricsToken' | 'language' | 'timezone' | 'businessHours' | 'twilio'>;
  log: Logger;
  store: Store;
  tickets: TicketDeps;
  metrics: Metrics;
  readiness: Readiness;
  /** Mounted at /twilio when telephony is configured; otherwise /twilio/* answers 503. */
  twilio?: express.Router;
  /** The live stream's hub (api/stream), mounted at GET /api/stream; its owner closes it. */
  stream?: StreamHub;
}

export function apiRoutes(deps: Pick<AppDeps, 'store' | 'tickets'>): Route[] {
  return [
    ...ticketRoutes(deps.tickets),
    ...technicianRoutes(deps.tickets),
    ...deskRoutes(deps.tickets),
    // Before the problem routes: /problems/:id would answer /problems/suggestions.
    ...suggestionRoutes(deps.tickets),
    ...notificationRoutes(deps.store),
    ...ruleRoutes(deps.tickets),
    ...staffingRoutes(deps.store, deps.tickets.config.timezone),
    ...filteredRoutes(deps.tickets),
    // Last: a path under /problems/ that is not a problem's id (/problems/suggestions) must be
    // registered above, or `/problems/:id` answers it (400, not a uuid).
    ...problemRoutes(deps.tickets),
    ...articleRoutes(deps.store),
    ...catalogRoutes(deps.store),
    ...requestRoutes(deps.tickets),
  ];
}

/** The HTTP application; builds nothing global and listens nowhere, so tests run it in-process. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.use(requestMetrics(deps.metrics));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    const details = await deps.readiness.check();
    const ready = Object.values(details).every((v) => v !== false && !(typeof v === 'object' && v.ok === false));
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', details });
  });
  app.get('/metrics', metricsEndpoint(deps.metrics, deps.config.metricsToken));

  const apiAuth = {
    coordinatorToken: deps.config.apiToken,
    tokens: deps.store.tokens,
    sessions: deps.store.sessions,
    publicUrl: deps.config.publicUrl,
  };
  const routes = apiRoutes(deps);
  const openapi = buildOpenApi(routes, { version: '0.1.0', serverUrl: deps.config.publicUrl });
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  if (deps.stream) app.get('/api/stream', authMiddleware(apiAuth), streamRoute(deps.stream));
  app.use('/api', buildRouter(routes, apiAuth));
  app.use('/api', (req, _res, next) => next(new AppError('NOT_FOUND', `no route ${req.method} ${req.originalUrl}`)));

  if (deps.twilio) app.use('/twilio', deps.twilio);
  else {
    app.use('/twilio', (_req, _res, next) =>
      next(new AppError('TELEPHONY_DISABLED', 'telephony is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_PHONE_NUMBER')),
    );
  }

  // The console last: its pages are at the root (`/`, `/tickets/:id`), after every path above.
  app.use(createConsoleRouter({ store: deps.store, tickets: deps.tickets, config: deps.config, log: deps.log }));

  app.use((req, _res, next) => next(new AppError('NOT_FOUND', `no route ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.log));
  return app;
}

function requestMetrics(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      // The route's pattern, never the raw path: ticket numbers must not explode the label set.
      const pattern: unknown = res.locals.routePattern;
      const matched: unknown = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof pattern === 'string' ? pattern : typeof matched === 'string' ? matched : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method: req.method, route }, seconds);
    });
    next();
  };
}
