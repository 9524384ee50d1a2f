import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { readRaw } from './read-email.js';
import type { ParseJob, ParseJobResult } from './parse-pool.js';

/**
 * The parse pool's worker (parse-pool.ts): reads each email of a job with the same readRaw as the
 * main thread would, one after the other, and answers with them all.
 */
const port = parentPort;
if (!port) throw new Error('parse-worker.ts runs only as a worker thread (see parse-pool.ts)');
// workerData crosses the thread boundary untyped: checked, not trusted to be what the pool sent.
const limits = z
  .object({ limits: z.object({ maxAttachmentBytes: z.number().positive(), maxMessageBytes: z.number().positive() }) })
  .parse(workerData).limits;

async function answer(job: ParseJob): Promise<ParseJobResult> {
  const read = [];
  for (const email of job.emails) {
    const raw = Buffer.from(email.raw.buffer, email.raw.byteOffset, email.raw.byteLength);
    read.push(await readRaw(limits, email.oversize === undefined ? { raw } : { raw, oversize: email.oversize }));
  }
  return { id: job.id, read };
}

// readRaw never throws (what cannot be read is an answer of its own); anything else ends the worker, which the pool sees.
port.on('message', (job: ParseJob) => void answer(job).then((result) => port.postMessage(result)));
