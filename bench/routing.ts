import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import { loadConfig, type Config } from '../src/config/index.js';
import type { Logger } from '../src/log.js';
import type { RoleContext } from '../src/roles/types.js';
import { rankCandidates, summarizeDecision, type TechnicianSnapshot } from '../src/rules/assignment.js';
import { routeTicket } from '../src/routing/assign.js';
import { requiredSkills } from '../src/rules/categorize.js';
import { createRoutingEngine } from '../src/routing/engine.js';
import { createRoutingProducer } from '../src/routing/producer.js';
import { startRoutingWorker } from '../src/routing/worker.js';
import type { Tier } from '../src/domain/values.js';
import { createServices } from '../src/roles/services.js';
import { createSequelize } from '../src/store/db.js';
import { createStore } from '../src/store/index.js';
import { migrate } from '../src/store/migrate.js';
import { fmt, percentile, type BenchResult } from './types.js';
import { withScratch, startPostgresAndRedis } from './support/scratch.js';

/**
 * Routing on a desk of 1,000 technicians and 100,000 open tickets (60,000 held, 40,000 waiting):
 * - the decision's latency: one waiting ticket routed end to end in its transaction (lock the
 *   ticket, outage check, candidates with their loads, history, ranking, lock of the chosen
 *   technician with their load read under it, offer + event + outbox rows, commit), one at a time,
 *   as the routing worker runs it (prepared statements, a relaxed commit: see CommitMode),
 *   counting the statements sent (each a round trip); baselines in the same
 *   run: a `SELECT 1` round trip on the same pool, and the pure ranking alone on the same candidates;
 * - sustained assignments per second: route-ticket jobs through bull to two workers (each its own
 *   pool, as two processes would be), against one worker on a backlog of the same size.
 */
const TECHNICIANS = 1000;
const HELD = 60_000;
const WAITING = 40_000;
const WARMUP = 100;
const SAMPLES = 800;
const BACKLOG = 600;
const TARGET_P99_MS = 10;
const CATEGORIES = ['network', 'printing', 'accounts', 'email', 'hardware', 'software', 'security', 'access'];

async function seed(sequelize: Sequelize): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    const q = (sql: string) => sequelize.query(sql, { transaction });
    await q('SELECT setseed(0.42)');
    await q(`INSERT INTO requesters (name, emails) VALUES ('Bench', ARRAY['bench@example.com'])`);
    // Two to four skills each; a fifth of them with a (24/7) shift, so shifts are checked too.
    await q(`
      INSERT INTO technicians (name, email, tier, skills, max_load, available, shift, last_assigned_at)
      SELECT 'Tech ' || g, 'tech' || g || '@bench.example',
             CASE WHEN g <= 600 THEN 1 WHEN g <= 900 THEN 2 ELSE 3 END,
             (SELECT array_agg(s) FROM (SELECT s FROM unnest(ARRAY['${CATEGORIES.join("','")}']) s
                                        ORDER BY random() + g * 0 LIMIT 2 + (g % 3)) x),
             40 + (g * 37) % 121, true,
             CASE WHEN g % 5 = 0 THEN 'mon-sun 00:00-24:00' END,
             now() - g * interval '1 minute'
        FROM generate_series(1, ${TECHNICIANS}) g`);
    const common = `'web', 'medium', 'medium', (SELECT id FROM requesters LIMIT 1), now() + interval '30 days', now() + interval '30 days'`;
    await q(`
      WITH techs AS (SELECT id, tier, skills, row_number() OVER (ORDER BY id) AS n FROM technicians)
      INSERT INTO tickets (channel, impact, urgency, requester_id, respond_by, resolve_by, status, priority, category, tier,
                           subject, assignee_id, responded_at, paused_at, created_at)
      SELECT ${common}, CASE WHEN g % 3 = 0 THEN 'pending' ELSE 'in_progress' END,
             (ARRAY['P1','P2','P3','P4'])[1 + floor(random() * 4)::int], t.skills[1], t.tier,
             'Held ' || g, t.id, now(), CASE WHEN g % 3 = 0 THEN now() END, now() - random() * interval '1 hour'
        FROM generate_series(1, ${HELD}) g JOIN techs t ON t.n = 1 + (g * 7919) % ${TECHNICIANS}`);
    await q(`
      INSERT INTO tickets (channel, impact, urgency, requester_id, respond_by, resolve_by, status, priority, category, tier,
                           subject, created_at)
      SELECT ${common}, 'new', (ARRAY['P1','P2','P3','P4'])[1 + floor(random() * 4)::int],
             (ARRAY['${CATEGORIES.join("','")}'])[1 + floor(random() * ${CATEGORIES.length})::int],
             CASE WHEN random() < 0.7 THEN 1 WHEN random() < 0.8 THEN 2 ELSE 3 END,
             'Waiting ' || g, now() - random() * interval '1 hour'
        FROM generate_series(1, ${WAITING}) g`);
    await q(`INSERT INTO ticket_events (ticket_id, type, actor, data)
             SELECT id, 'created', 'coordinator', '{}' FROM tickets WHERE status = 'new'`);
  });
  await sequelize.query('VACUUM ANALYZE');
}

async function waitingIds(sequelize: Sequelize, n: number, offset: number): Promise<string[]> {
  const rows = await sequelize.query<{ id: string }>(
    `SELECT id FROM tickets WHERE status = 'new' ORDER BY md5(id::text) LIMIT :n OFFSET :offset`,
    { replacements: { n, offset }, type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.id);
}

const sortedMs = (values: number[]) => [...values].sort((a, b) => a - b);
const fmtTrips = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

async function decisionLatency(config: Config, sequelize: Sequelize, log: Logger) {
  const services = createServices(config, createStore(sequelize, log), log);
  await services.rules.load();
  const engine = createRoutingEngine({ deps: { ...services.tickets, listeners: [] }, rules: services.rules, timezone: config.timezone });
  const ids = await waitingIds(sequelize, WARMUP + SAMPLES, 0);
  const routing: number[] = [];
  const outcomes: Record<string, number> = {};
  // Statements sent during the measured decisions, BEGIN and COMMIT included: one round trip each.
  // Counted on the pg client, under Sequelize: routing's prepared statements go to it directly.
  let statements = 0;
  let counting = false;
  const clientQuery = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (counting) statements++;
    return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof clientQuery;
  for (const [i, id] of ids.entries()) {
    counting = i >= WARMUP;
    const start = performance.now();
    const outcome = await routeTicket(engine, id);
    if (i >= WARMUP) {
      routing.push(performance.now() - start);
      outcomes[outcome.kind] = (outcomes[outcome.kind] ?? 0) + 1;
    }
  }
  counting = false;
  pg.Client.prototype.query = clientQuery;
  const ping: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const start = performance.now();
    await sequelize.query('SELECT 1');
    if (i >= WARMUP) ping.push(performance.now() - start);
  }
  // The ranking alone, on the candidates of waiting tickets as the database returns them.
  const rules = services.rules.current();
  const probes = await waitingIds(sequelize, 200, 0);
  const ranking: number[] = [];
  let considered = 0;
  for (const id of probes) {
    const [t] = await sequelize.query<{ tier: Tier; category: string; priority: 'P1' }>(
      'SELECT tier, category, priority FROM tickets WHERE id = :id',
      {
        replacements: { id },
        type: QueryTypes.SELECT,
      },
    );
    if (!t) continue;
    const skills = requiredSkills(t.category, rules.categories);
    // The candidates as routing reads them: the ticket locked, then its decision's context.
    const records = await services.store.transaction(async (tx) => {
      const waiting = await tx.routing.lockWaiting(id, 'durable');
      if (!waiting.state) return [];
      const context = await tx.routing.decisionContext({ state: waiting.state, skills, now: new Date() });
      return context.candidates.map((c) => c.record);
    });
    considered += records.length;
    const now = new Date();
    for (let k = 0; k < 10; k++) {
      const start = performance.now();
      // As routing does it: shifts through the engine's clock (each distinct text worked out once a minute).
      const snapshots: TechnicianSnapshot[] = records.map((r) => ({ ...r, onShift: engine.onShift(r.shift, now), declined: false }));
      summarizeDecision(rankCandidates({ priority: t.priority, tier: t.tier, requiredSkills: skills }, snapshots, rules.loadWeights));
      ranking.push(performance.now() - start);
    }
  }
  return {
    routing: sortedMs(routing),
    ping: sortedMs(ping),
    ranking: sortedMs(ranking),
    outcomes,
    considered: considered / probes.length,
    roundTrips: statements / SAMPLES,
  };
}

async function throughput(
  config: Config,
  databaseUrl: string,
  redisUrl: string,
  log: Logger,
  workers: number,
  prefix: string,
  ids: string[],
) {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const pools: Sequelize[] = [];
  const stops: Array<() => Promise<void>> = [];
  try {
    for (let i = 0; i < workers; i++) {
      const pool = createSequelize({ url: databaseUrl, poolMax: 6 });
      pools.push(pool);
      const ctx: RoleContext = {
        config,
        log,
        services: createServices(config, createStore(pool, log), log),
        redisUrl,
        redis,
        health: new Map(),
      };
      stops.push(await startRoutingWorker(ctx, { prefix, concurrency: 4, planEveryMs: 3_600_000, sweepAtStart: false }));
    }
    const producer = createRoutingProducer(log);
    const release = producer.connect(redisUrl, prefix);
    const watcher = pools[0] as Sequelize;
    const start = performance.now();
    await Promise.all(ids.map((ticketId) => producer.add('route-ticket', { ticketId, events: ['created'] })));
    let assigned = 0;
    for (;;) {
      const [row] = await watcher.query<{ assigned: number; settled: number }>(
        `SELECT count(*) FILTER (WHERE t.status = 'assigned')::int AS assigned,
                count(*) FILTER (WHERE t.status <> 'new' OR EXISTS (
                  SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.type = 'queued'))::int AS settled
           FROM tickets t WHERE t.id IN (:ids)`,
        { replacements: { ids }, type: QueryTypes.SELECT },
      );
      assigned = row?.assigned ?? 0;
      if ((row?.settled ?? 0) >= ids.length) break;
      if (performance.now() - start > 120_000) throw new Error('routing backlog did not settle in 120 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - start) / 1000;
    await release();
    return { assigned, seconds, perSecond: assigned / seconds };
  } finally {
    for (const stop of stops) await stop();
    for (const pool of pools) await pool.close();
    redis.disconnect();
  }
}

export async function run(): Promise<BenchResult> {
  return withScratch('routing', async (scratch) => {
    const { log, stops } = scratch;
    const { pg, redisServer } = await startPostgresAndRedis(scratch);
    const config = loadConfig({ DATABASE_URL: pg.url, REDIS_URL: redisServer.url, HELPDESK_BUSINESS_HOURS: 'always' });
    const sequelize = createSequelize({ url: pg.url, poolMax: 4 });
    stops.push(() => sequelize.close());
    await migrate(sequelize);
    const seedStart = performance.now();
    await seed(sequelize);
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const latency = await decisionLatency(config, sequelize, log);
    const backlog = await waitingIds(sequelize, 2 * BACKLOG, 0);
    const one = await throughput(config, pg.url, redisServer.url, log, 1, 'bench-routing-1', backlog.slice(0, BACKLOG));
    const two = await throughput(config, pg.url, redisServer.url, log, 2, 'bench-routing-2', backlog.slice(BACKLOG));

    const p = (values: number[], q: number) => percentile(values, q);
    const p99 = p(latency.routing, 99);
    return {
      name: 'routing',
      lines: [
        `Desk: ${TECHNICIANS} technicians (tiers 600/300/100, 2–4 skills, maxLoad 40–160), ${HELD + WAITING} open tickets`,
        `(${HELD} held, ${WAITING} waiting), seeded in ${seedSeconds.toFixed(1)} s; embedded PostgreSQL, one connection at a time.`,
        'Decisions as the worker makes them: prepared statements, and a commit that does not wait for the WAL flush (routing-only transactions; see ARCHITECTURE.md).',
        '',
        '| measure | p50 | p99 |',
        '| --- | --- | --- |',
        `| assignment decision, whole transaction: ${fmtTrips(latency.roundTrips)} round trips (${SAMPLES} tickets) | ${fmt(p(latency.routing, 50))} | ${fmt(p99)} |`,
        `| baseline: \`SELECT 1\` round trip, same pool | ${fmt(p(latency.ping, 50))} | ${fmt(p(latency.ping, 99))} |`,
        `| baseline: pure ranking of the same candidates (avg ${latency.considered.toFixed(0)}) | ${fmt(p(latency.ranking, 50))} | ${fmt(p(latency.ranking, 99))} |`,
        '',
        `Decision p99 is ${(p99 / p(latency.ping, 99)).toFixed(1)}× a bare round trip and ${(p(latency.routing, 50) / p(latency.ranking, 50)).toFixed(0)}× the ranking alone at p50;`,
        `target p99 ≤ ${TARGET_P99_MS} ms: ${p99 <= TARGET_P99_MS ? 'met' : 'NOT met'}. Outcomes: ${Object.entries(latency.outcomes)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')}.`,
        '',
        '| sustained routing (bull route-ticket jobs, 4 at a time per worker) | tickets offered | seconds | offers/s |',
        '| --- | --- | --- | --- |',
        `| baseline: one worker, ${BACKLOG} waiting tickets | ${one.assigned} | ${one.seconds.toFixed(2)} | ${one.perSecond.toFixed(0)} |`,
        `| two workers (separate pools), ${BACKLOG} waiting tickets | ${two.assigned} | ${two.seconds.toFixed(2)} | ${two.perSecond.toFixed(0)} |`,
        '',
        `Two workers: ${(two.perSecond / one.perSecond).toFixed(2)}× one worker (both workers and Postgres share ${os.cpus().length} cores).`,
      ],
    };
  });
}
