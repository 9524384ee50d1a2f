import { Worker } from 'node:worker_threads';

/**
 * The live stream's readers on a thread of their own, so that their parsing does not sit on the
 * event loop of the server they measure: `clients` SSE connections to `url` (each its own socket,
 * as as many browsers would hold), and a bare `LISTEN ticket_events` on the database beside them
 * (the floor: the notification itself). Every arrival is stamped in ms by process.hrtime, the
 * monotonic clock every thread of the process shares (performance.now() has a time origin per thread). Plain
 * JavaScript evaluated in the worker (no TypeScript loader there), like load-worker.ts.
 */
interface StreamClientsPlan {
  url: string;
  token: string;
  clients: number;
  databaseUrl: string;
}

interface StreamArrivals {
  /** Per event id, the moment each client received it (one entry per client that did). */
  sse: Map<number, number[]>;
  /** Per event id, the moment the bare LISTEN client was told. */
  listen: Map<number, number>;
}

interface StreamClients {
  /** Reads what arrived so far, then closes every connection. */
  finish(): Promise<StreamArrivals>;
}

const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const pg = require('pg');
const plan = workerData;
const stamp = () => Number(process.hrtime.bigint()) / 1e6;
const sse = new Map();
const listen = new Map();
const requests = [];
let open = 0;
const listener = new pg.Client({ connectionString: plan.databaseUrl });
listener.on('notification', (n) => {
  const at = stamp();
  for (const id of (n.payload || '').split(',')) if (id) listen.set(Number(id), at);
});
listener.on('error', () => {});
function connect() {
  const req = http.get(plan.url, { headers: { accept: 'text/event-stream', authorization: 'Bearer ' + plan.token }, agent: false }, (res) => {
    if (res.statusCode !== 200) { parentPort.postMessage({ kind: 'failed', error: 'HTTP ' + res.statusCode }); return; }
    res.setEncoding('utf8');
    let buffer = '';
    let counted = false;
    res.on('data', (chunk) => {
      const at = stamp();
      if (!counted) { counted = true; if (++open === plan.clients) ready(); }
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\\n\\n')) !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const line = frame.split('\\n').find((l) => l.startsWith('id: '));
        if (!line) continue;
        const id = Number(line.slice(4));
        let times = sse.get(id);
        if (!times) sse.set(id, (times = []));
        times.push(at);
      }
    });
  });
  req.on('error', (e) => parentPort.postMessage({ kind: 'failed', error: e.message }));
  requests.push(req);
}
let listening = false;
function ready() { if (listening && open === plan.clients) parentPort.postMessage({ kind: 'ready' }); }
listener.connect().then(() => listener.query('LISTEN ticket_events')).then(() => {
  listening = true;
  for (let i = 0; i < plan.clients; i++) connect();
}, (e) => parentPort.postMessage({ kind: 'failed', error: e.message }));
parentPort.on('message', async () => {
  for (const req of requests) req.destroy();
  await listener.end().catch(() => {});
  parentPort.postMessage({ kind: 'arrivals', sse: [...sse], listen: [...listen] });
});
`;

type FromWorker =
  { kind: 'ready' } | { kind: 'failed'; error: string } | { kind: 'arrivals'; sse: [number, number[]][]; listen: [number, number][] };

/** Starts the readers; resolves once every SSE client has its stream open and the bare LISTEN is in place. */
export function startStreamClients(plan: StreamClientsPlan): Promise<StreamClients> {
  const worker = new Worker(WORKER_CODE, { eval: true, workerData: plan });
  let settle: (arrivals: StreamArrivals) => void = () => undefined;
  const arrivals = new Promise<StreamArrivals>((resolve) => (settle = resolve));
  return new Promise((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (message: FromWorker) => {
      if (message.kind === 'failed') reject(new Error(`stream client: ${message.error}`));
      else if (message.kind === 'ready')
        resolve({
          finish: async () => {
            worker.postMessage('finish');
            const result = await arrivals;
            await worker.terminate();
            return result;
          },
        });
      else settle({ sse: new Map(message.sse), listen: new Map(message.listen) });
    });
  });
}
