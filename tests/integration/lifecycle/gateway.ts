import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAlive, readPidFile } from '../../../src/runtime/processes.js';

// A whole gateway as `npm start` runs it, from bin/helpdesk.js, in a process group of its own (as
// a terminal or systemd would start it), on embedded defaults under a data dir of its own.

export const BIN = path.resolve('bin/helpdesk.js');

export async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'helpdesk-lifecycle-'));
  // As root, Postgres runs as `postgres` and must traverse the data dir's parent.
  await chmod(dir, 0o755);
  return dir;
}

/** The environment of a user's shell: no DATABASE_URL nor REDIS_URL from the test run. */
export function userEnv(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HELPDESK_DATA_DIR: dataDir, LOG_LEVEL: 'info', ...extra };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'HELPDESK_API_TOKEN', 'IMAP_URL', 'SMTP_URL']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

export interface RunningGateway {
  child: ChildProcess;
  url: string;
  output(): string;
  /** The code it exited with, once it has. */
  exited: Promise<number | null>;
}

export function spawnGateway(env: NodeJS.ProcessEnv, port: number): RunningGateway {
  const child = spawn(process.execPath, [BIN, 'start'], {
    env: { ...env, PORT: String(port) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, url: `http://127.0.0.1:${port}`, output: () => output, exited };
}

export async function readyStatus(url: string, timeoutMs = 5_000): Promise<number> {
  return fetch(`${url}/ready`, { signal: AbortSignal.timeout(timeoutMs) }).then(
    (r) => r.status,
    () => 0,
  );
}

/** Waits until `/ready` answers 200; throws with the gateway's output if it exits or takes too long. */
export async function untilReady(gateway: RunningGateway, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gateway.child.exitCode !== null) throw new Error(`gateway exited ${gateway.child.exitCode}:\n${gateway.output()}`);
    if ((await readyStatus(gateway.url)) === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready within ${timeoutMs} ms:\n${gateway.output()}`);
}

/** The generated coordinator token, printed once at the first start. */
export function printedToken(gateway: RunningGateway): string {
  const token = /Coordinator API token[^:]*: (\S+)/.exec(gateway.output())?.[1];
  if (!token) throw new Error(`no token printed:\n${gateway.output()}`);
  return token;
}

/** Log lines at level error (50) or fatal (60), and whatever is not a JSON log line (a stack trace). */
export function problems(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('Coordinator API token'))
    .filter((line) => {
      try {
        const parsed: unknown = JSON.parse(line);
        return typeof parsed !== 'object' || parsed === null || !('level' in parsed) || Number(parsed.level) >= 50;
      } catch {
        return true;
      }
    });
}

/** Runs a CLI command to its end. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stdout, stderr };
}

/** Kills whatever of the gateway's group is left (after a failed test). */
export function killGroup(gateway: RunningGateway): void {
  try {
    if (gateway.child.pid !== undefined) process.kill(-gateway.child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** The pids of the embedded servers of a data dir (their own process groups: the gateway's group is not theirs). */
export async function serverPids(dataDir: string): Promise<{ postgres: number | undefined; redis: number | undefined }> {
  const [postgres, redis] = await Promise.all([
    readPidFile(path.join(dataDir, 'postgres/data/postmaster.pid')),
    readPidFile(path.join(dataDir, 'redis/redis.pid')),
  ]);
  return { postgres, redis };
}

/** After a test: whatever runs from this data dir goes, and the files too. */
export async function cleanUp(dataDir: string, gateways: RunningGateway[]): Promise<void> {
  for (const gateway of gateways) killGroup(gateway);
  const pids = await serverPids(dataDir);
  for (const pid of [pids.postgres, pids.redis]) {
    if (pid !== undefined && (await isAlive(pid))) process.kill(pid, 'SIGKILL');
  }
  await rm(dataDir, { recursive: true, force: true });
}
