import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * A whole gateway as `npm start` runs it (`node bin/helpdesk.js start`), in a child process of its
 * own, with the lag probe loaded first (`--import`, see lag-probe.mjs) and `--expose-gc` so that the
 * probe can collect before reading the heap. Everything it logs is read back: a line at level error
 * or fatal, and anything on stderr, is an error of the run.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROBE = fileURLToPath(new URL('./lag-probe.mjs', import.meta.url));

export interface LagStats {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface ProbeAnswer {
  seq: number;
  at: number;
  /** Lag in ms since the previous read. */
  window: LagStats;
  /** The phase that this read ended, with its whole-phase lag in ms; null when the phase goes on. */
  closed: (LagStats & { phase: string | null }) | null;
  heapAfterGc: number | null;
  memory: NodeJS.MemoryUsage;
}

export interface LogLine {
  at: number;
  level: number;
  msg: string;
  /** The line as the gateway wrote it (already redacted by its logger). */
  raw: string;
}

export interface GatewayProcess {
  pid: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Lines at level error (50) or fatal (60), and every stderr line (as level 50). */
  errors: LogLine[];
  /** Warning lines (level 40), by message. */
  warnings: Map<string, number>;
  /** Resident set size of the gateway process itself (not its Postgres or Redis), from /proc. */
  rssBytes(): Promise<number>;
  /** Ends the probe's window (and the phase, when `phase` differs from the last one) and reads it. */
  probe(phase: string, options?: { gc?: boolean }): Promise<ProbeAnswer>;
  /** SIGTERM, then SIGKILL after `graceMs`: how it ended. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: string | null; ms: number }>;
}

/**
 * Compiles the gateway first when the package has a build and dist/ is missing or older than src/
 * (the test bin/helpdesk.js makes before it runs dist/ rather than the sources through tsx): the soak
 * measures what `npm start` runs, not a compiler. Says which one will run.
 */
export async function buildIfStale(): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.build) return 'the sources through tsx (no build script)';
  if ((await builtAt()) >= (await newestMtime(path.join(ROOT, 'src')))) return 'the compiled dist/, up to date';
  try {
    await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT, maxBuffer: 16 * 2 ** 20 });
  } catch (err) {
    // tsc still writes dist/ when it finds type errors; bin/helpdesk.js then decides what runs.
    const output = err instanceof Error && 'stdout' in err ? String(err.stdout) : String(err);
    process.stdout.write(`  soak: npm run build failed:\n${output.slice(0, 2000)}\n`);
  }
  return (await builtAt()) >= (await newestMtime(path.join(ROOT, 'src')))
    ? 'the compiled dist/, rebuilt by npm run build'
    : 'the sources through tsx (npm run build failed)';
}

async function builtAt(): Promise<number> {
  return stat(path.join(ROOT, 'dist', 'cli.js')).then(
    (s) => s.mtimeMs,
    () => 0,
  );
}

async function newestMtime(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let newest = 0;
  for (const e of entries) {
    if (!e.isFile()) continue;
    newest = Math.max(newest, (await stat(path.join(e.parentPath, e.name))).mtimeMs);
  }
  return newest;
}

export async function startGatewayProcess(options: {
  port: number;
  env: Record<string, string>;
  probeFile: string;
  readyWithinMs?: number;
}): Promise<GatewayProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, PORT: String(options.port), HELPDESK_SOAK_PROBE: options.probeFile };
  // The bench's own settings must not leak into the gateway's.
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
  // Embedded Postgres and Redis under the data dir, whatever the shell that runs the bench points at.
  for (const key of ['DATABASE_URL', 'REDIS_URL']) if (!(key in options.env)) delete env[key];
  const child = spawn(process.execPath, ['--expose-gc', '--import', PROBE, path.join(ROOT, 'bin/helpdesk.js'), 'start'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errors: LogLine[] = [];
  const warnings = new Map<string, number>();
  const startup: string[] = [];
  createInterface({ input: child.stdout }).on('line', (raw) => {
    if (startup.length < 200) startup.push(raw);
    const line = parseLine(raw);
    if (!line) return;
    if (line.level >= 50) errors.push(line);
    else if (line.level === 40) warnings.set(line.msg, (warnings.get(line.msg) ?? 0) + 1);
  });
  createInterface({ input: child.stderr }).on('line', (raw) => {
    if (startup.length < 200) startup.push(raw);
    errors.push({ at: Date.now(), level: 50, msg: `stderr: ${raw.slice(0, 300)}`, raw });
  });

  const url = `http://127.0.0.1:${options.port}`;
  await waitReady(child, url, options.readyWithinMs ?? 120_000, () => startup.join('\n'));
  const pid = child.pid!;

  const probe: GatewayProcess['probe'] = async (phase, { gc = false } = {}) => {
    const before = await readProbe(options.probeFile);
    await writeFile(`${options.probeFile}.control`, JSON.stringify({ phase, gc }));
    child.kill('SIGUSR2');
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const answer = await readProbe(options.probeFile);
      if (answer && answer.seq !== before?.seq) return answer;
      await sleep(20);
    }
    throw new Error('the lag probe did not answer within 30 s');
  };

  return {
    pid,
    url,
    errors,
    warnings,
    rssBytes: async () => {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
      if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
      return Number(kb) * 1024;
    },
    probe,
    async stop(graceMs = 30_000) {
      const started = Date.now();
      if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode, ms: 0 };
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const [code, signal] = await exited;
      clearTimeout(timer);
      return { code, signal, ms: Date.now() - started };
    },
  };
}

function parseLine(raw: string): LogLine | null {
  if (!raw.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(raw) as { level?: unknown; msg?: unknown; time?: unknown };
    if (typeof parsed.level !== 'number') return null;
    return {
      at: typeof parsed.time === 'number' ? parsed.time : Date.now(),
      level: parsed.level,
      msg: typeof parsed.msg === 'string' ? parsed.msg : '',
      raw,
    };
  } catch {
    return null;
  }
}

async function readProbe(file: string): Promise<ProbeAnswer | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  return text ? (JSON.parse(text) as ProbeAnswer) : null;
}

async function waitReady(child: ChildProcess, url: string, withinMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the gateway exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output().slice(-3000)}`);
    }
    const status = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error(`the gateway was not ready within ${withinMs / 1000} s:\n${output().slice(-3000)}`);
}
