import Bull from 'bull';
import request from 'supertest';
import { expect } from 'vitest';
import type { RoleContext, RoleStopper } from '../../../src/roles/types.js';
import { ROUTING_QUEUE } from '../../../src/routing/producer.js';
import { startRoutingWorker, type RoutingWorkerOptions } from '../../../src/routing/worker.js';
import type { Services } from '../../../src/roles/services.js';
import type { TicketDetail } from '../../../src/domain/ticket.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';
import { deleteKeys, uniquePrefix } from '../../support/redis.js';

/**
 * A test desk with routing: its own database, its own bull prefix on the shared Redis, the API's
 * producer connected to that prefix, and routing workers started and stopped on demand.
 */
export interface RoutingDesk extends TestDesk {
  prefix: string;
  auth: { Authorization: string };
  startWorker(options?: RoutingWorkerOptions & { services?: Services }): Promise<RoleStopper>;
  stopWorkers(): Promise<void>;
  /** Timer kinds of this ticket still waiting, delayed or running in the queue. */
  pendingTimers(ticketId: string): Promise<string[]>;
}

export async function createRoutingDesk(env: Record<string, string> = {}): Promise<RoutingDesk> {
  const desk = await createTestDesk({ HELPDESK_COORDINATOR_EMAIL: 'coordinator@desk.example', ...env });
  const prefix = uniquePrefix();
  const releaseProducer = desk.services.routing.connect(desk.redisUrl, prefix);
  const workers = new Set<RoleStopper>();
  // Reads the queue's counters only; it never processes.
  const inspector = new Bull(ROUTING_QUEUE, desk.redisUrl, { prefix });
  const stopWorkers = async () => {
    for (const stop of [...workers]) {
      workers.delete(stop);
      await stop();
    }
  };
  return {
    ...desk,
    prefix,
    auth: bearer(COORDINATOR_TOKEN),
    async startWorker(options = {}) {
      const ctx: RoleContext = {
        config: desk.config,
        log: desk.log,
        services: options.services ?? desk.services,
        redisUrl: desk.redisUrl,
        redis: desk.redis,
        health: new Map(),
      };
      // The periodic sweep would hide a missed event: tests rely on events unless they ask for sweeps.
      const stop = await startRoutingWorker(ctx, { prefix, planEveryMs: 600_000, ...options });
      const once = async () => {
        if (!workers.delete(once)) return;
        await stop();
      };
      workers.add(once);
      return once;
    },
    stopWorkers,
    async pendingTimers(ticketId) {
      const jobs = await inspector.getJobs(['waiting', 'delayed', 'active']);
      return jobs
        .filter((j) => j && (j.data as { ticketId?: string }).ticketId === ticketId && j.name !== 'route-ticket')
        .map((j) => j.name);
    },
    async close() {
      await stopWorkers();
      await inspector.close();
      await releaseProducer();
      await deleteKeys(desk.redisUrl, prefix);
      await desk.close();
    },
  };
}

export interface TechnicianSpec {
  name: string;
  tier: 1 | 2 | 3;
  skills: string[];
  maxLoad?: number;
  available?: boolean;
  shift?: string;
  phone?: string;
  email?: string;
}

export async function addTechnician(desk: RoutingDesk, spec: TechnicianSpec): Promise<{ id: string; token: string }> {
  const res = await request(desk.app)
    .post('/api/technicians')
    .set(desk.auth)
    .send({ email: `${spec.name.toLowerCase()}@desk.example`, ...spec });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id as string, token: res.body.token as string };
}

export async function putRule(desk: RoutingDesk, name: string, value: unknown): Promise<void> {
  const res = await request(desk.app)
    .put(`/api/rules/${name}`)
    .set(desk.auth)
    .send(value as object);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

export async function openWebTicket(
  desk: RoutingDesk,
  body: Record<string, unknown>,
): Promise<{ id: string; number: number; priority: string; tier: number }> {
  const res = await request(desk.app)
    .post('/api/tickets')
    .set(desk.auth)
    .send({ description: '', requester: { name: 'Alice', email: 'alice@example.com' }, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

export async function detail(desk: RoutingDesk, number: number): Promise<TicketDetail> {
  const res = await request(desk.app).get(`/api/tickets/${number}`).set(desk.auth);
  expect(res.status).toBe(200);
  return res.body as TicketDetail;
}

export const eventsOf = (t: TicketDetail, type: string) => t.events.filter((e) => e.type === type);
