import { setTimeout as sleep } from 'node:timers/promises';
import { QueryTypes } from 'sequelize';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log.js';
import { createServices } from '../../src/roles/services.js';
import { createSequelize } from '../../src/store/db.js';
import { createStore } from '../../src/store/index.js';
import { updateTicket } from '../../src/tickets/actions.js';

/**
 * The live stream bench's writer, in a process of its own (as the worker role or another web
 * process would be): the coordinator's changes through the use case, one every `paceMs`, and for
 * each a line on stdout with the ids of its events and the moment its COMMIT returned, by
 * process.hrtime (CLOCK_MONOTONIC, the clock every process of the machine shares). Apart from the
 * server it measures, so that the moment is not held back by the server's own work.
 *
 * `node --import tsx bench/support/stream-writer.ts` with STREAM_WRITER_PLAN set (JSON of WriterPlan).
 */
export interface WriterPlan {
  databaseUrl: string;
  redisUrl: string;
  tickets: string[];
  changes: number;
  paceMs: number;
}

export interface WrittenChange {
  /** Its events' ids, from and to (inclusive). */
  from: number;
  to: number;
  /** ms, process.hrtime. */
  committedAt: number;
}

const plan = JSON.parse(process.env.STREAM_WRITER_PLAN ?? '{}') as WriterPlan;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const log = silentLogger();
const config = loadConfig({ DATABASE_URL: plan.databaseUrl, REDIS_URL: plan.redisUrl, HELPDESK_BUSINESS_HOURS: 'always' });
const sequelize = createSequelize({ url: plan.databaseUrl, poolMax: 2 });
const services = createServices(config, createStore(sequelize, log), log);
// The listeners hear of a change as soon as its COMMIT returns (before updateTicket reads the ticket back).
let committedAt = Number.NaN;
const tickets = { ...services.tickets, listeners: [...(services.tickets.listeners ?? []), () => void (committedAt = now())] };
const latestId = async () =>
  (await sequelize.query<{ id: number }>('SELECT coalesce(max(id), 0) AS id FROM ticket_events', { type: QueryTypes.SELECT }))[0]?.id ?? 0;

let before = await latestId();
const started = now();
for (let i = 0; i < plan.changes; i++) {
  await sleep(Math.max(0, started + i * plan.paceMs - now()));
  const key = plan.tickets[i % plan.tickets.length] ?? '';
  // Each round of the tickets flips their priority, so that every change is one.
  const priority = Math.floor(i / plan.tickets.length) % 2 === 0 ? 'P2' : 'P3';
  await updateTicket(tickets, key, { priority }, { kind: 'coordinator' });
  const after = await latestId();
  const line: WrittenChange = { from: before + 1, to: after, committedAt };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  before = after;
}
await sequelize.close();
process.exit(0);
