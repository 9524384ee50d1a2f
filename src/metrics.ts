import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AppError } from './errors.js';

/** The gateway's Prometheus metrics, on a registry of its own (no process-wide default). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'helpdesk_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'helpdesk_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'helpdesk_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'] as const,
      buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    ticketsOpened: new Counter({
      name: 'helpdesk_tickets_opened_total',
      help: 'Tickets opened, by channel',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
    dependencyUp: new Gauge({
      name: 'helpdesk_dependency_up',
      help: '1 when a dependency (database, redis, a mailbox) answers',
      labelNames: ['dependency'] as const,
      registers: [registry],
    }),
    streamClients: new Gauge({
      name: 'helpdesk_stream_clients',
      help: 'Clients connected to the live stream (GET /api/stream)',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * `GET /metrics`: the Prometheus text, behind `Authorization: Bearer <HELPDESK_METRICS_TOKEN>` when
 * that is set (Prometheus's `authorization` / `bearer_token_file` scrape settings send it).
 */
export function metricsEndpoint(metrics: Metrics, token: string | undefined) {
  // Digests of equal length, so that the comparison takes the same time whatever was sent.
  const expected = token === undefined ? undefined : digest(token);
  return async (req: Request, res: Response, next: NextFunction) => {
    if (expected !== undefined) {
      const sent = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
      if (sent === undefined || !timingSafeEqual(digest(sent), expected)) {
        return next(new AppError('UNAUTHENTICATED', 'send Authorization: Bearer <HELPDESK_METRICS_TOKEN>'));
      }
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
