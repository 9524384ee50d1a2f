import { Worker } from 'node:worker_threads';

/**
 * An HTTP load generator on its own thread, so that the client's work does not sit on the event
 * loop of the server it measures. Its code is plain JavaScript evaluated in the worker (no TypeScript
 * loader needed there). Two modes:
 * - `rate`: open loop, a request every 1/rate s whatever the answers do; latency counts from the
 *   moment a request was due, so a stalled server is not flattered by the client waiting with it;
 * - `closed`: `concurrency` requests always in flight, for the throughput ceiling.
 */
export interface LoadRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
}

export type LoadPlan =
  | { mode: 'rate'; port: number; rate: number; seconds: number; requests: LoadRequest[] }
  | { mode: 'closed'; port: number; concurrency: number; seconds: number; requests: LoadRequest[] };

export interface LoadResult {
  /** Latencies in ms, sorted. */
  latencies: number[];
  errors: number;
  /** Requests answered per second over the run. */
  throughput: number;
  firstError: string | null;
}

const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const plan = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const latencies = [];
let errors = 0, firstError = null, next = 0, done = 0;
function send(dueAt, onDone) {
  const r = plan.requests[next++ % plan.requests.length];
  const req = http.request({ host: '127.0.0.1', port: plan.port, method: 'POST', path: r.path, agent,
    headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) } }, (res) => {
    res.resume();
    res.on('end', () => {
      if (res.statusCode !== 200) { errors++; firstError = firstError || 'HTTP ' + res.statusCode; }
      else latencies.push(performance.now() - dueAt);
      done++; onDone();
    });
  });
  req.on('error', (e) => { errors++; firstError = firstError || e.message; done++; onDone(); });
  req.end(r.body);
}
function finish(started) {
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  parentPort.postMessage({ latencies, errors, firstError, throughput: done / elapsed });
}
const started = performance.now();
const endAt = started + plan.seconds * 1000;
if (plan.mode === 'rate') {
  const interval = 1000 / plan.rate;
  const total = Math.floor(plan.seconds * plan.rate);
  let sent = 0;
  const check = () => { if (sent === total && done === total) finish(started); };
  const tick = () => {
    const now = performance.now();
    while (sent < total && started + sent * interval <= now) { send(started + sent * interval, check); sent++; }
    if (sent < total) setTimeout(tick, Math.max(0, started + sent * interval - performance.now()));
  };
  tick();
} else {
  let inFlight = 0;
  const loop = () => {
    inFlight--;
    if (performance.now() < endAt) { inFlight++; send(performance.now(), loop); }
    else if (inFlight === 0) finish(started);
  };
  for (let i = 0; i < plan.concurrency; i++) { inFlight++; send(performance.now(), loop); }
}
`;

export function runLoad(plan: LoadPlan): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_CODE, { eval: true, workerData: plan });
    worker.once('message', (result: LoadResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
