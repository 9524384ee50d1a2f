import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import { ensureCommand, type System } from './install.js';
import { isPortFree, persistentPort } from './ports.js';
import { commandLine, isAlive, readPidFile, terminate, workingDirectory } from './processes.js';

export interface RedisServerOptions {
  dataDir: string;
  log: Logger;
  port?: number;
  /** `yes` (default) keeps queued jobs across a crash; tests pass `no` for speed. */
  appendOnly?: 'yes' | 'no';
  /** For tests: how the machine is probed when redis-server is missing. */
  system?: Partial<System>;
}

export interface RunningRedis {
  url: string;
  stop(): Promise<void>;
}

export const REDIS_INSTALL_HINT =
  'Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL to an existing Redis server.';

const READY = /ready to accept connections/i;
const START_TIMEOUT_MS = 15_000;

/**
 * Starts a `redis-server` child listening on 127.0.0.1 with its files under `<dataDir>/redis`,
 * after stopping one left running there by a gateway that was killed. Installs redis-server
 * first when it is missing and this is Debian or Ubuntu as root (see ensureCommand).
 */
export async function startRedisServer(opts: RedisServerOptions): Promise<RunningRedis> {
  const { log } = opts;
  const bin = await ensureCommand('redis-server', 'redis-server', log, REDIS_INSTALL_HINT, opts.system);
  const dir = path.join(path.resolve(opts.dataDir), 'redis');
  const pidFile = path.join(dir, 'redis.pid');
  const portFile = path.join(dir, 'port');
  await mkdir(dir, { recursive: true });
  await stopStaleRedis(pidFile, dir, log);

  let port = opts.port ?? (await persistentPort(portFile)).port;
  const args = (p: number): string[] => [
    '--port', String(p), '--bind', '127.0.0.1', '--dir', dir, '--pidfile', pidFile,
    '--appendonly', opts.appendOnly ?? 'yes', '--daemonize', 'no',
  ];
  let child: ChildProcess;
  try {
    child = await spawnUntilReady(bin, args(port), dir, log);
  } catch (err) {
    // Someone took the port between our check and the bind: one more try on a new port.
    if (opts.port !== undefined || (await isPortFree(port))) throw err;
    port = (await persistentPort(portFile)).port;
    child = await spawnUntilReady(bin, args(port), dir, log);
  }
  log.info({ port }, 'redis-server ready');

  // Best effort for a gateway that dies by an exception: take the child along.
  const onExit = (): void => void child.kill('SIGTERM');
  process.on('exit', onExit);
  let stopping: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      (stopping ??= (async () => {
        process.removeListener('exit', onExit);
        await stopChild(child, log);
      })()),
  };
}

async function stopStaleRedis(pidFile: string, dir: string, log: Logger): Promise<void> {
  const pid = await readPidFile(pidFile);
  if (pid === undefined) return;
  if (await isAlive(pid)) {
    const cmd = (await commandLine(pid)) ?? '';
    // redis-server rewrites its title to "redis-server host:port", dropping --dir; its cwd is --dir.
    const cwd = await workingDirectory(pid);
    if (cmd.includes('redis-server') && (cwd === undefined || cwd === (await realpath(dir)))) {
      log.warn({ pid }, 'stopping a redis-server left running by a previous gateway');
      await terminate(pid, ['SIGTERM'], 10_000);
    }
  }
  await rm(pidFile, { force: true });
}

function spawnUntilReady(bin: string, args: string[], cwd: string, log: Logger): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let ready = false;
    const fail = (reason: string): void => {
      if (ready) return void log.error({ reason }, 'redis-server failed');
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start: ${reason}. Output: ${output.trim().split('\n').slice(-5).join(' | ')}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    // The pipes are read for the whole life of the child: a full pipe would block redis's logging.
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      if (ready) return void log.debug({ redis: text.trim() }, 'redis output');
      output += text;
      if (READY.test(output)) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => {
      if (!ready) fail(`exited with ${signal ?? `code ${code}`}`);
      else log.debug({ code, signal }, 'redis-server exited');
    });
  });
}

async function stopChild(child: ChildProcess, log: Logger): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, 10_000, 'timeout').unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    log.warn({ pid: child.pid }, 'redis-server slow to stop; killing it');
    child.kill('SIGKILL');
    await exited;
  }
}
