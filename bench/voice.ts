import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import express from 'express';
import { Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { createTwilioRouter } from '../src/intake/twilio/router.js';
import { signRequest } from '../src/intake/twilio/signature.js';
import { createServices } from '../src/roles/services.js';
import { createSequelize } from '../src/store/db.js';
import { createStore } from '../src/store/index.js';
import { migrate } from '../src/store/migrate.js';
import { runLoad, type LoadPlan, type LoadRequest, type LoadResult } from './support/load-worker.js';
import { fmt, percentile, type BenchResult } from './types.js';
import { withScratch, startPostgresAndRedis } from './support/scratch.js';

/**
 * The voice webhook under a steady load: signed `POST /twilio/voice` (a call comes in: signature
 * check, caller lookup by number, ongoing outages, business hours, the call remembered in Redis,
 * TwiML built) over real HTTP on loopback with keep-alive, against a bare express route that parses
 * the same form and makes one Postgres query (the caller lookup alone), measured in the same run.
 */
const PUBLIC_URL = 'https://bench.example.com';
const AUTH_TOKEN = 'bench-twilio-auth-token';
const RATE = 200;
const STEADY_SECONDS = 10;
const CEILING_SECONDS = 5;
const CONCURRENCY = 16;
/** Voice and bare take turns in slices, so that both meet the same background load of the machine. */
const ROUNDS = 5;
const KNOWN_CALLERS = 1_000;
const TARGET_P99_MS = 20;
const TARGET_RATIO = 0.5;

const phoneOf = (i: number) => `+3361${String(i).padStart(7, '0')}`;

export async function run(): Promise<BenchResult> {
  return withScratch('voice', async (scratch) => {
    const { log, stops } = scratch;
    const { pg, redisServer } = await startPostgresAndRedis(scratch);
    const config = loadConfig({
      PUBLIC_URL,
      DATABASE_URL: pg.url,
      REDIS_URL: redisServer.url,
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_PHONE_NUMBER: '+33100000000',
      HELPDESK_API_TOKEN: 'bench-coordinator-token-0123456789',
      HELPDESK_BUSINESS_HOURS: 'always',
    });
    const sequelize = createSequelize({ url: pg.url, poolMax: 10 });
    stops.push(() => sequelize.close());
    await migrate(sequelize);
    const services = createServices(config, createStore(sequelize, log), log);
    const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    stops.push(async () => void redis.disconnect());
    await seed(sequelize, services.store);

    const twilio = createTwilioRouter({ config, twilio: config.twilio!, store: services.store, tickets: services.tickets, redis, log });
    const app = createApp({
      config,
      log,
      store: services.store,
      tickets: services.tickets,
      metrics: services.metrics,
      readiness: { check: async () => ({}) },
      twilio,
    });
    const bare = express();
    bare.post('/bare', express.urlencoded({ extended: false }), async (req, res) => {
      const from = typeof req.body?.From === 'string' ? req.body.From : '';
      const rows = await sequelize.query('SELECT id, name, language FROM requesters WHERE phones @> ARRAY[$from]::text[] LIMIT 1', {
        bind: { from },
        type: QueryTypes.SELECT,
      });
      res.type('text/xml').send(`<Response>${rows.length}</Response>`);
    });
    const voicePort = await listen(app, stops);
    const barePort = await listen(bare, stops);

    const voiceRequests = requests('/twilio/voice', { signedWith: AUTH_TOKEN });
    const bareRequests = requests('/bare', {});
    // Warm-up: JIT, connection pools, the first queries' plans.
    await runLoad({ mode: 'closed', port: voicePort, concurrency: 4, seconds: 2, requests: voiceRequests });
    await runLoad({ mode: 'closed', port: barePort, concurrency: 4, seconds: 2, requests: bareRequests });

    const loadBefore = os.loadavg()[0] ?? Number.NaN;
    const steady = { mode: 'rate', rate: RATE, seconds: STEADY_SECONDS / ROUNDS } as const;
    const [steadyVoice, steadyBare] = await inTurns(
      { ...steady, port: voicePort, requests: voiceRequests },
      { ...steady, port: barePort, requests: bareRequests },
    );
    const ceiling = { mode: 'closed', concurrency: CONCURRENCY, seconds: CEILING_SECONDS / ROUNDS } as const;
    const [ceilingVoice, ceilingBare] = await inTurns(
      { ...ceiling, port: voicePort, requests: voiceRequests },
      { ...ceiling, port: barePort, requests: bareRequests },
    );
    for (const [name, r] of Object.entries({ steadyVoice, steadyBare, ceilingVoice, ceilingBare })) {
      if (r.errors > 0) throw new Error(`${name}: ${r.errors} failed requests (first: ${r.firstError})`);
    }

    const loadAfter = os.loadavg()[0] ?? Number.NaN;
    const p99 = percentile(steadyVoice.latencies, 99);
    const ratio = ceilingVoice.throughput / ceilingBare.throughput;
    const row = (name: string, r: Measured) =>
      `| ${name} | ${fmt(percentile(r.latencies, 50))} | ${fmt(percentile(r.latencies, 99))} | ${fmt(r.latencies.at(-1) ?? Number.NaN)} | ${r.throughput.toFixed(0)} req/s | ${fmt(r.busyMsPerRequest)} |`;
    return {
      name: 'Voice webhook',
      lines: [
        `Signed \`POST /twilio/voice\` (an incoming call: signature, caller lookup among ${KNOWN_CALLERS} requesters, outages, business hours, call kept in Redis, TwiML) over HTTP on loopback with keep-alive; the baseline is a bare express route that parses the same form and makes one Postgres query. Load from a separate thread.`,
        '',
        `Steady load, ${RATE} requests/s for ${STEADY_SECONDS} s each, in ${ROUNDS} alternating slices (open loop; latency from the moment each request was due):`,
        '',
        '| route | p50 | p99 | max | answered | server thread busy per request |',
        '| --- | --- | --- | --- | --- | --- |',
        row('`POST /twilio/voice`', steadyVoice),
        row('bare route, one query', steadyBare),
        '',
        `Throughput ceiling, ${CONCURRENCY} requests in flight for ${CEILING_SECONDS} s each, alternating: voice ${ceilingVoice.throughput.toFixed(0)} req/s (${fmt(ceilingVoice.busyMsPerRequest)} of server thread each), bare ${ceilingBare.throughput.toFixed(0)} req/s (${fmt(ceilingBare.busyMsPerRequest)} each), ratio ${ratio.toFixed(2)}.`,
        '',
        `Machine load (1-min average) ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, on ${os.cpus().length} cores: the server, Postgres, Redis and the load thread share them with whatever else runs, and tail latencies move with it; the busy-per-request figures move much less.`,
        '',
        `Targets: p99 ≤ ${TARGET_P99_MS} ms at ${RATE} calls/s: ${fmt(p99)}, ${p99 <= TARGET_P99_MS ? 'met' : 'NOT met'}; at least ${TARGET_RATIO} of the bare route's throughput: ${ratio.toFixed(2)}, ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}.`,
      ],
    };
  });
}

interface Measured extends LoadResult {
  /** Time the server's event loop was busy, per answered request: its CPU cost, less sensitive to a busy machine. */
  busyMsPerRequest: number;
}

/** Runs the two plans by turns, ROUNDS slices each, and adds each one's slices up. */
async function inTurns(a: LoadPlan, b: LoadPlan): Promise<[Measured, Measured]> {
  const slices: [Slice[], Slice[]] = [[], []];
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [i, plan] of [a, b].entries()) {
      const before = performance.eventLoopUtilization();
      const result = await runLoad(plan);
      slices[i]!.push({ result, busyMs: performance.eventLoopUtilization(before).active });
    }
  }
  return [total(slices[0]), total(slices[1])];
}

interface Slice {
  result: LoadResult;
  busyMs: number;
}

function total(slices: Slice[]): Measured {
  const latencies = slices.flatMap((s) => s.result.latencies).sort((x, y) => x - y);
  const done = slices.map((s) => s.result.latencies.length + s.result.errors);
  const seconds = slices.reduce((sum, s, i) => sum + (done[i] ?? 0) / s.result.throughput, 0);
  return {
    latencies,
    errors: slices.reduce((sum, s) => sum + s.result.errors, 0),
    firstError: slices.find((s) => s.result.firstError)?.result.firstError ?? null,
    throughput: done.reduce((x, y) => x + y, 0) / seconds,
    busyMsPerRequest: slices.reduce((sum, s) => sum + s.busyMs, 0) / Math.max(1, latencies.length),
  };
}

/** Known callers (greeted by name) and an ongoing outage (announced), as on a busy morning. */
async function seed(sequelize: Sequelize, store: ReturnType<typeof createServices>['store']): Promise<void> {
  // The numbers of phoneOf(i), made by the server in one statement.
  await sequelize.query(
    `INSERT INTO requesters (name, phones)
       SELECT 'Caller ' || i, ARRAY['+3361' || lpad(i::text, 7, '0')] FROM generate_series(0, $count - 1) AS i`,
    { bind: { count: KNOWN_CALLERS } },
  );
  await store.outages.create({ title: 'la messagerie', message: 'Outlook ne se connecte plus' });
}

/**
 * Distinct calls, replayed in turn, three in four from known callers; signed (when a token is given)
 * for their own URL and parameters, as Twilio does.
 */
function requests(urlPath: string, options: { signedWith?: string }, count = 2_000): LoadRequest[] {
  return Array.from({ length: count }, (_, i) => {
    const params = {
      AccountSid: `AC${'0'.repeat(32)}`,
      CallSid: `CA${String(i).padStart(32, '0')}`,
      From: i % 4 === 3 ? `+3378${String(i).padStart(7, '0')}` : phoneOf(i % KNOWN_CALLERS),
      To: '+33100000000',
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    };
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (options.signedWith) headers['x-twilio-signature'] = signRequest(options.signedWith, PUBLIC_URL + urlPath, params);
    return { path: urlPath, body: new URLSearchParams(params).toString(), headers };
  });
}

async function listen(app: express.Express, stops: Array<() => Promise<void>>): Promise<number> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  stops.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return (server.address() as AddressInfo).port;
}
