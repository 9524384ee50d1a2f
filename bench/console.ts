import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { createServices } from '../src/roles/services.js';
import { startEmbeddedPostgres } from '../src/runtime/postgres.js';
import { createSequelize } from '../src/store/db.js';
import { createStore } from '../src/store/index.js';
import { migrate } from '../src/store/migrate.js';
import { SEED, seedConsoleDesk } from './support/console-seed.js';
import { withScratch } from './support/scratch.js';
import { fmt, percentile, type BenchResult } from './types.js';

/**
 * The console's pages on a year of a busy desk (bench/support/console-seed.ts: 1,000,000 tickets,
 * 100,000 open): the queue (`GET /`) signed in as the coordinator, with its default filters and a
 * few filtered variants, and signed in as a technician; the statistics page over the year. Each
 * request is timed from sending to the last byte, one at a time over keep-alive HTTP on loopback
 * (so the time is the server's: sign-in session lookup, queries, rendering). The baseline, in the
 * same run and through the same app and session cookie: `GET /api/technicians/:id`, a page that
 * reads one row. Variants take turns in rounds so that all meet the same background load.
 */
const COORDINATOR_TOKEN = 'bench-coordinator-token-0123456789';
const TECHNICIAN_TOKEN = 'bench-technician-token-0123456789';
const ROUNDS = 5;
const PER_ROUND = 30;
const STATS_PER_ROUND = 4;
const WARMUP = 10;
const TARGET_QUEUE_P95_MS = 100;
const TARGET_STATS_MS = 300;

interface Variant {
  name: string;
  path: string;
  cookie: 'coordinator' | 'technician';
  samples: number;
}

export async function run(): Promise<BenchResult> {
  return withScratch('console', async (scratch) => {
    const { dir, log, stops } = scratch;
    const pg = await startEmbeddedPostgres({ dataDir: dir, log });
    stops.push(pg.stop);
    const config = loadConfig({
      DATABASE_URL: pg.url,
      HELPDESK_API_TOKEN: COORDINATOR_TOKEN,
      HELPDESK_BUSINESS_HOURS: 'always',
      PUBLIC_URL: 'http://127.0.0.1',
    });
    const sequelize = createSequelize({ url: pg.url, poolMax: 10 });
    stops.push(() => sequelize.close());
    await migrate(sequelize);
    const seeding = performance.now();
    await seedConsoleDesk(sequelize);
    const seedSeconds = (performance.now() - seeding) / 1000;

    const services = createServices(config, createStore(sequelize, log), log);
    const [technician] = await services.store.technicians.list();
    if (!technician) throw new Error('the seed made no technician');
    await services.store.tokens.issue(TECHNICIAN_TOKEN, { role: 'technician', technicianId: technician.id });
    const app = createApp({
      config,
      log,
      store: services.store,
      tickets: services.tickets,
      metrics: services.metrics,
      readiness: { check: async () => ({}) },
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cookies = {
      coordinator: await signIn(base, COORDINATOR_TOKEN),
      technician: await signIn(base, TECHNICIAN_TOKEN),
    };
    // A requester's address as the search box would get it (user<n>@corp.example), and a year of stats.
    const to = new Date();
    const from = new Date(to.getTime() - 365 * 24 * 3600 * 1000);
    const statsPath = `/stats?from=${from.toISOString().slice(0, 10)}&to=${to.toISOString().slice(0, 10)}`;
    // The first view computes and keeps every day's sums of the year; later views recompute only changed days.
    const firstViewStarted = performance.now();
    const statsBuilt = (await fetch(base + statsPath, { headers: { cookie: cookies.coordinator } })).status === 200;
    const statsFirstView = performance.now() - firstViewStarted;

    const variants: Variant[] = [
      {
        name: 'baseline: `GET /api/technicians/:id` (one row)',
        path: `/api/technicians/${technician.id}`,
        cookie: 'coordinator',
        samples: PER_ROUND,
      },
      { name: '`GET /` (coordinator, default filters)', path: '/', cookie: 'coordinator', samples: PER_ROUND },
      { name: '`GET /?priority=P1`', path: '/?priority=P1', cookie: 'coordinator', samples: PER_ROUND },
      {
        name: '`GET /?status=new&status=pending&channel=email`',
        path: '/?status=new&status=pending&channel=email',
        cookie: 'coordinator',
        samples: PER_ROUND,
      },
      { name: '`GET /?assignee=none`', path: '/?assignee=none', cookie: 'coordinator', samples: PER_ROUND },
      { name: '`GET /?page=40` (rows 1,951–2,000)', path: '/?page=40', cookie: 'coordinator', samples: PER_ROUND },
      {
        name: '`GET /?q=user4242@corp.example` (requester email)',
        path: '/?q=user4242%40corp.example',
        cookie: 'coordinator',
        samples: PER_ROUND,
      },
      { name: '`GET /?q=printer` (a word of the subject)', path: '/?q=printer', cookie: 'coordinator', samples: PER_ROUND },
      { name: '`GET /` (a technician: their own tickets)', path: '/', cookie: 'technician', samples: PER_ROUND },
      ...(statsBuilt
        ? [{ name: `\`GET /stats\` over the year`, path: statsPath, cookie: 'coordinator' as const, samples: STATS_PER_ROUND }]
        : []),
    ];
    for (const v of variants) {
      for (let i = 0; i < Math.min(WARMUP, v.samples * 2); i++) await timed(base, v, cookies[v.cookie]);
    }
    const loadBefore = os.loadavg()[0] ?? Number.NaN;
    const samples = new Map<Variant, number[]>(variants.map((v) => [v, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const v of variants) {
        for (let i = 0; i < v.samples; i++) samples.get(v)?.push(await timed(base, v, cookies[v.cookie]));
      }
    }
    const loadAfter = os.loadavg()[0] ?? Number.NaN;

    const sorted = (v: Variant) => [...(samples.get(v) ?? [])].sort((a, b) => a - b);
    const baseline = sorted(variants[0] as Variant);
    const baseP50 = percentile(baseline, 50);
    const row = (v: Variant) => {
      const s = sorted(v);
      return `| ${v.name} | ${s.length} | ${fmt(percentile(s, 50))} | ${fmt(percentile(s, 95))} | ${fmt(s.at(-1) ?? Number.NaN)} | ${(percentile(s, 50) / baseP50).toFixed(1)} × |`;
    };
    const queues = variants.filter((v) => v.path.startsWith('/') && !v.path.startsWith('/api') && !v.path.startsWith('/stats'));
    const defaultP95 = percentile(sorted(variants[1] as Variant), 95);
    const worstQueue = Math.max(...queues.map((v) => percentile(sorted(v), 95)));
    const stats = variants.find((v) => v.path === statsPath);
    const statsP50 = stats ? percentile(sorted(stats), 50) : Number.NaN;
    const statsP95 = stats ? percentile(sorted(stats), 95) : Number.NaN;
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    return {
      name: 'Console pages',
      lines: [
        `A year of a desk seeded by generate_series in ${seedSeconds.toFixed(0)} s: ${SEED.tickets.toLocaleString('en')} tickets, ${SEED.open.toLocaleString('en')} open, ${SEED.requesters.toLocaleString('en')} requesters, ${SEED.technicians} technicians, and their events (created, assigned, resolved, queued). Each page asked one at a time over keep-alive HTTP on loopback, signed in by the session cookie, timed to the last byte; ${ROUNDS} rounds in turns after a warm-up. The baseline goes through the same app and session lookup and reads one row.`,
        '',
        '| page | samples | p50 | p95 | max | p50 / baseline |',
        '| --- | --- | --- | --- | --- | --- |',
        ...variants.map(row),
        '',
        statsBuilt
          ? `Statistics page over the year: p50 ${fmt(statsP50)}, p95 ${fmt(statsP95)} (target ≤ ${TARGET_STATS_MS} ms, judged on the p95): ${verdict(statsP95 <= TARGET_STATS_MS)}. Its very first view, which computes and keeps the sums of every day of the year, took ${fmt(statsFirstView)}; later views recompute only the days whose tickets changed.`
          : '`GET /stats` did not answer 200 in this run (the statistics page was not built yet): not measured.',
        '',
        `Machine load (1-min average) ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, on ${os.cpus().length} cores shared with Postgres.`,
        '',
        `Target: the queue's p95 ≤ ${TARGET_QUEUE_P95_MS} ms: default filters ${fmt(defaultP95)}, ${verdict(defaultP95 <= TARGET_QUEUE_P95_MS)}; worst variant in the table ${fmt(worstQueue)}, ${verdict(worstQueue <= TARGET_QUEUE_P95_MS)}.`,
      ],
    };
  });
}

/** Signs in through the form, as the browser does; returns the session cookie to send. */
async function signIn(base: string, token: string): Promise<string> {
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    body: new URLSearchParams({ token }),
    redirect: 'manual',
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('helpdesk_session='));
  if (res.status !== 303 || !cookie) throw new Error(`sign-in failed: ${res.status}`);
  return cookie.split(';')[0] ?? '';
}

async function timed(base: string, v: Variant, cookie: string): Promise<number> {
  const start = performance.now();
  const res = await fetch(base + v.path, { headers: { cookie, 'accept-language': 'en' } });
  await res.arrayBuffer();
  const ms = performance.now() - start;
  if (res.status !== 200) throw new Error(`${v.path}: ${res.status}`);
  return ms;
}
