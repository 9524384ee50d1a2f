import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../log.js';
import type { ParseLimits } from './parse.js';
import { readRaw, type ReadEmail } from './read-email.js';
import type { EmailAttachment } from './types.js';

/** An email as downloaded: its bytes, and its size when it was too large to download whole. */
export interface RawEmail {
  raw: Buffer;
  oversize?: number;
}

/**
 * Reads downloaded emails (parse, decode, make fit to store). Where the machine has cores to spare,
 * on worker threads: a backlog's parsing then never waits behind the store's statements on the main
 * thread, nor they behind it, and a worker is a wall around hostile mail: one that makes the parser
 * run away (memory, time) ends its worker, not the process, and is read as unparsable (quarantined)
 * while the rest of its batch is read again one by one. Elsewhere, on the main thread (see
 * createParsePool).
 */
export interface EmailReader {
  readAll(emails: readonly RawEmail[]): Promise<ReadEmail[]>;
  close(): Promise<void>;
}

/** What the main thread sends a worker: a batch's bytes (copied: the main thread keeps its own for the store). */
export interface ParseJob {
  id: number;
  emails: { raw: Uint8Array<ArrayBuffer>; oversize?: number }[];
}

/** What it answers: structured clone turns each attachment's Buffer into a plain Uint8Array. */
export interface ParseJobResult {
  id: number;
  read: ReadEmail[];
}

export interface ParsePoolOptions {
  limits: ParseLimits;
  log: Logger;
  /** Worker threads (0: read on the main thread); by default see createParsePool. */
  workers?: number;
  /** A job taking longer than this (plus `perEmailMs` per email) ends its worker as a runaway. */
  timeoutMs?: number;
  perEmailMs?: number;
  /** The old-generation heap a worker may use (MAX_HEAP_MB by default). */
  maxHeapMb?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_PER_EMAIL_MS = 2_000;
/**
 * Without a limit of its own, a worker that outgrows V8's heap ends the whole process; with one, only
 * the worker. 24 MB HTML and text bodies (the largest a message under the 25 MB limit carries) read
 * within 512 MB (measured); an email that needs more is refused as unparsable instead.
 */
const MAX_HEAP_MB = 512;

/**
 * By default one worker per core beyond the two the intake already keeps busy (the main thread
 * storing, Postgres answering it), at most 2. With two cores or fewer a worker only takes CPU from
 * Postgres, and the store waits longer for each answer: measured on a 2-core machine (the email
 * bench's warm pairs, twice each), a 5,000-email backlog ran at 0.26 and 0.34 of fetch + parse alone
 * with one worker (medians of 3 pairs), 0.33 and 0.34 with none. There, mail is read on the main
 * thread.
 */
export function createParsePool(options: ParsePoolOptions): EmailReader {
  const size = options.workers ?? Math.min(2, Math.max(0, availableParallelism() - 2));
  if (size === 0) return onMainThread(options.limits);
  const slots = Array.from({ length: size }, () => new Slot(options));
  const queue: { job: Omit<ParseJob, 'id'>; settle: (result: JobOutcome) => void }[] = [];
  let closed = false;

  const pump = () => {
    for (const slot of slots) {
      if (slot.busy || queue.length === 0) continue;
      const next = queue.shift();
      if (next) void slot.run(next.job).then(next.settle);
    }
  };
  const run = (emails: readonly RawEmail[]) =>
    new Promise<JobOutcome>((settle) => {
      if (closed) throw new Error('the parse pool is closed');
      queue.push({
        job: { emails: emails.map((e) => ({ raw: new Uint8Array(e.raw), ...(e.oversize === undefined ? {} : { oversize: e.oversize }) })) },
        settle: (outcome) => {
          settle(outcome);
          pump();
        },
      });
      pump();
    });

  return {
    async readAll(emails) {
      if (emails.length === 0) return [];
      const whole = await run(emails);
      if (whole.ok) return whole.read;
      if (emails.length === 1) return [{ ok: false, reason: `unparsable: ${whole.failure}` }];
      // One of them broke the worker: each is read alone, so that only that one is refused.
      options.log.warn({ emails: emails.length, failure: whole.failure }, 'a parse worker failed on a batch: reading it one by one');
      const alone: ReadEmail[] = [];
      for (const email of emails) {
        const one = await run([email]);
        alone.push(
          one.ok ? (one.read[0] ?? { ok: false, reason: 'unparsable: no answer' }) : { ok: false, reason: `unparsable: ${one.failure}` },
        );
      }
      return alone;
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((slot) => slot.close()));
    },
  };
}

/** The same reading, in this thread, one email after the other. */
function onMainThread(limits: ParseLimits): EmailReader {
  return {
    async readAll(emails) {
      const read: ReadEmail[] = [];
      for (const email of emails) read.push(await readRaw(limits, email));
      return read;
    },
    close: async () => {},
  };
}

type JobOutcome = { ok: true; read: ReadEmail[] } | { ok: false; failure: string };

/** One worker thread, started when first needed and again after one that failed. */
class Slot {
  busy = false;
  private worker: Worker | null = null;
  private nextId = 1;

  constructor(private readonly options: ParsePoolOptions) {}

  async run(job: Omit<ParseJob, 'id'>): Promise<JobOutcome> {
    this.busy = true;
    const worker = (this.worker ??= startWorker(this.options));
    const id = this.nextId++;
    const limitMs = (this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS) + (this.options.perEmailMs ?? DEFAULT_PER_EMAIL_MS) * job.emails.length;
    try {
      return await new Promise<JobOutcome>((resolve) => {
        const done = (outcome: JobOutcome) => {
          clearTimeout(timer);
          worker.off('message', onMessage).off('error', onError).off('exit', onExit);
          resolve(outcome);
        };
        const onMessage = (answer: ParseJobResult) => {
          if (answer.id === id) done({ ok: true, read: answer.read.map(revived) });
        };
        const onError = (err: Error) => done({ ok: false, failure: `the parser failed (${err.message})` });
        const onExit = (code: number) => done({ ok: false, failure: `the parser stopped (exit code ${code})` });
        const timer = setTimeout(() => done({ ok: false, failure: `reading took over ${Math.round(limitMs / 1000)} s` }), limitMs);
        worker.on('message', onMessage).on('error', onError).on('exit', onExit);
        // Each email's bytes are a copy of the pool's own (see run): moved to the worker, not copied again.
        worker.postMessage(
          { id, ...job } satisfies ParseJob,
          job.emails.map((e) => e.raw.buffer),
        );
      }).then(async (outcome) => {
        if (!outcome.ok) await this.close();
        return outcome;
      });
    } finally {
      this.busy = false;
    }
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }
}

/**
 * Compiled (dist/, .js), the worker's module runs as it is. From the TypeScript sources (tsx, the
 * tests), a worker does not inherit the main thread's loader hooks, and `--import tsx` in its execArgv
 * comes too late for its own entry module: a small bootstrap registers tsx (its ESM API), then imports
 * the entry.
 */
function startWorker({ limits, maxHeapMb = MAX_HEAP_MB }: ParsePoolOptions): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb };
  const entry = new URL(import.meta.url.endsWith('.ts') ? './parse-worker.ts' : './parse-worker.js', import.meta.url);
  const worker = entry.pathname.endsWith('.ts')
    ? new Worker(TSX_BOOTSTRAP, {
        eval: true,
        resourceLimits,
        workerData: { limits, entry: entry.href, tsx: import.meta.resolve('tsx/esm/api') },
      })
    : new Worker(entry, { resourceLimits, workerData: { limits } });
  // Waiting for mail must not keep a stopping process alive; a job in flight holds its own promise.
  worker.unref();
  return worker;
}

const TSX_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then(({ register }) => {
  register();
  return import(workerData.entry);
});
`;

/** Each attachment's bytes as a Buffer again (structured clone hands back a plain Uint8Array). */
function revived(read: ReadEmail): ReadEmail {
  if (!read.ok) return read;
  const attachments = read.email.attachments.map((a): EmailAttachment => ({
    ...a,
    content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
  }));
  return { ok: true, email: { ...read.email, attachments } };
}
