import path from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { loadConfig } from '../src/config/index.js';
import { listenForPushedMail } from '../src/intake/email/inbound/start-inbound.js';
import { createLogger, silentLogger } from '../src/log.js';
import type { RoleContext } from '../src/roles/types.js';
import { createServices } from '../src/roles/services.js';
import { startEmbeddedPostgres } from '../src/runtime/postgres.js';
import { createSequelize } from '../src/store/db.js';
import { createStore } from '../src/store/index.js';
import { migrate } from '../src/store/migrate.js';
import { deliver, startDovecot } from '../tests/support/dovecot.js';
import { fetchAndParse, measureLatency, sampled } from './email.js';
import { mailCorpus } from './support/mail-corpus.js';
import { withScratch } from './support/scratch.js';
import { fmt, percentile, type BenchResult } from './types.js';

/**
 * Mail pushed by the MTA (LMTP, issue #15), end to end on embedded Postgres:
 * 1. latency: from the MTA's first byte of a message until the gateway's 250, which it sends only
 *    once the ticket is committed; beside it, in the same run, the IDLE path (a message written into
 *    Dovecot's maildir until its ticket is committed) and a bare IDLE client told of it;
 * 2. sustained rate: varied messages pushed over 8 concurrent LMTP connections (an MTA's usual
 *    destination concurrency), each sent when the one before on its connection was answered; the
 *    baseline is downloading and parsing the same messages from Dovecot alone (bench/email.ts's).
 */
const LATENCY_MESSAGES = 200;
const WARMUP = 20;
const RATE_MESSAGES = 3_000;
const CONNECTIONS = 8;
const TARGET_P50_MS = 50;
const TARGET_P99_MS = 150;
const DOMAIN = 'bench.example';

export async function run(): Promise<BenchResult> {
  return withScratch('inbound', async (scratch) => {
    const { dir, log, stops } = scratch;
    const [pg, dovecot] = await Promise.all([
      startEmbeddedPostgres({ dataDir: dir, log }),
      startDovecot(path.join(dir, 'dovecot'), { log, users: ['latency', 'rate'] }),
    ]);
    stops.push(pg.stop, dovecot.stop);
    const sequelize = createSequelize({ url: pg.url, poolMax: 10 });
    stops.push(() => sequelize.close());
    await migrate(sequelize);

    const ctx = deskFor(pg.url, sequelize);
    const inbound = await listenForPushedMail(ctx);
    if (!inbound) throw new Error('MAIL_INBOUND_URL is set: the listener must start');
    stops.push(inbound.stop);

    const lmtp = await measureLmtpLatency(inbound.port);
    const idle = await measureLatency(dovecot, pg.url, sequelize);
    const corpus = mailCorpus(RATE_MESSAGES).map((raw, i) => raw.replace(/^Message-ID: <([^>]+)>/m, `Message-ID: <rate-${i}-$1>`));
    const rate = await sampled(() => pushAll(inbound.port, corpus));
    for (const raw of corpus) await deliver(dovecot.mailRoot, 'rate', raw);
    const baseline = await sampled(() => fetchAndParse(dovecot, 'rate'));
    const outcomes = await outcomeCounts(ctx);

    const p50 = percentile(lmtp, 50);
    const p99 = percentile(lmtp, 99);
    const pushedRate = rate.result / rate.seconds;
    const baselineRate = baseline.result / baseline.seconds;
    const row = (name: string, sorted: number[]) =>
      `| ${name} | ${fmt(percentile(sorted, 50))} | ${fmt(percentile(sorted, 95))} | ${fmt(percentile(sorted, 99))} | ${fmt(sorted.at(-1) ?? Number.NaN)} |`;
    return {
      name: 'Inbound LMTP',
      lines: [
        'The gateway’s LMTP listener (`MAIL_INBOUND_URL`, `listenForPushedMail`, the mail role’s own) with nodemailer’s LMTP client as the MTA, embedded Postgres, and a real Dovecot for the IMAP figures; one process, this machine.',
        '',
        `Latency, ${LATENCY_MESSAGES} messages one after the other on one connection (after ${WARMUP} to warm up), until the ticket is committed:`,
        '',
        '| | p50 | p95 | p99 | max |',
        '| --- | --- | --- | --- | --- |',
        row('LMTP: DATA sent → 250 (the ticket committed before the 250)', lmtp),
        row('IDLE: written into the maildir → ticket committed', idle.ours),
        row('baseline: written into the maildir → a bare IDLE client told (EXISTS)', idle.bare),
        '',
        `The IDLE figures are ${idle.ours.length} messages (bench/email.ts’s measureLatency): Dovecot waits about half a second before it tells an idling client of a change another process made, a floor no IMAP reader goes under; pushed mail has none.`,
        '',
        `Sustained rate, ${RATE_MESSAGES} varied messages (the email bench’s corpus) over ${CONNECTIONS} concurrent LMTP connections, each message sent when the one before on its connection was answered:`,
        '',
        '| | messages/s | time | peak RSS |',
        '| --- | --- | --- | --- |',
        `| LMTP: receive, parse, classify, thread, store, answer 250 | ${pushedRate.toFixed(0)} | ${rate.seconds.toFixed(1)} s | ${(rate.peakRss / 1024 / 1024).toFixed(0)} MB |`,
        `| baseline: fetch + parse alone from Dovecot, the reader’s batches | ${baselineRate.toFixed(0)} | ${baseline.seconds.toFixed(1)} s | ${(baseline.peakRss / 1024 / 1024).toFixed(0)} MB |`,
        '',
        `Ratio to fetch + parse alone: ${(pushedRate / baselineRate).toFixed(2)}. Outcomes: ${Object.entries(outcomes)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}.`,
        '',
        'Messages that arrive while a round is being stored wait and go together into the next round (no timer): alone at low load, rounds of up to one message per connection under load, each message answered on its own.',
        '',
        `Targets: LMTP p50 ≤ ${TARGET_P50_MS} ms: ${fmt(p50)}, ${p50 <= TARGET_P50_MS ? 'met' : 'NOT met'}; p99 ≤ ${TARGET_P99_MS} ms: ${fmt(p99)}, ${p99 <= TARGET_P99_MS ? 'met' : 'NOT met'}.`,
      ],
    };
  });
}

function deskFor(databaseUrl: string, sequelize: ReturnType<typeof createSequelize>): RoleContext {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: 'redis://127.0.0.1:1',
    HELPDESK_API_TOKEN: 'bench-coordinator-token-0123456789',
    HELPDESK_BUSINESS_HOURS: 'always',
    MAIL_FROM: `Helpdesk <helpdesk@${DOMAIN}>`,
    MAIL_INBOUND_URL: 'lmtp://127.0.0.1:0',
    MAIL_INBOUND_DOMAINS: DOMAIN,
  });
  const log = process.env.BENCH_LOG ? createLogger({ level: process.env.BENCH_LOG }) : silentLogger();
  const services = createServices(config, createStore(sequelize, log), log);
  // No Redis here: routing jobs are left to the worker's sweep (the producer is never connected).
  services.routing.connect = () => async () => {};
  return { config, log, services, redisUrl: '', redis: undefined as never, health: new Map() };
}

function transport(port: number) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, lmtp: true, ignoreTLS: true, pool: true, maxConnections: 1 });
}

const envelope = { from: 'mta@client.example', to: [`helpdesk@${DOMAIN}`] };

async function measureLmtpLatency(port: number): Promise<number[]> {
  const mta = transport(port);
  const times: number[] = [];
  try {
    for (let i = 0; i < LATENCY_MESSAGES + WARMUP; i++) {
      const raw = mailCorpus(1)[0]!
        .replace(/^Message-ID: <([^>]+)>/m, `Message-ID: <lmtp-latency-${i}-$1>`)
        .replaceAll('user0@', `lmtp${i}@`);
      const start = performance.now();
      const info = await mta.sendMail({ envelope, raw });
      const took = performance.now() - start;
      if (!String(info.response).startsWith('250')) throw new Error(`message ${i} answered ${String(info.response)}`);
      if (i >= WARMUP) times.push(took);
    }
  } finally {
    mta.close();
  }
  return times.sort((a, b) => a - b);
}

/** Every message pushed, CONNECTIONS at a time; the number answered 250. */
async function pushAll(port: number, corpus: string[]): Promise<number> {
  let next = 0;
  let accepted = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const mta = transport(port);
      try {
        for (let i = next++; i < corpus.length; i = next++) {
          const info = await mta.sendMail({ envelope, raw: corpus[i]! });
          if (String(info.response).startsWith('250')) accepted++;
        }
      } finally {
        mta.close();
      }
    }),
  );
  if (accepted !== corpus.length) throw new Error(`${corpus.length - accepted} messages were not answered 250`);
  return accepted;
}

async function outcomeCounts(ctx: RoleContext): Promise<Record<string, number>> {
  const text = await ctx.services.metrics.registry.getSingleMetricAsString('helpdesk_mailbox_messages_total');
  const counts: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /mailbox="lmtp:\/\/[^"]*",outcome="([^"]+)"\} (\d+)/.exec(line);
    if (match) counts[match[1]!] = Number(match[2]);
  }
  return counts;
}
