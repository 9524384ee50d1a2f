import { mkdir, readFile, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import { spawnUntilReady } from './child.js';
import { ensureCommand, type System } from './install.js';
import { claim, liveOwner, release } from './owner.js';
import { persistentPort, startOnPort } from './ports.js';
import { commandLine, isAlive, readPidFile, terminate, workingDirectory } from './processes.js';
import { supervise } from './supervisor.js';

export interface RedisServerOptions {
  dataDir: string;
  log: Logger;
  port?: number;
  /** `yes` (default) keeps queued jobs across a crash; tests pass `no` for speed. */
  appendOnly?: 'yes' | 'no';
  /** For tests: how the machine is probed when redis-server is missing. */
  system?: Partial<System>;
  /** Called when the server died and could not be restarted (default: an error in the log). */
  onGiveUp?: (err: Error) => void;
}

export interface RunningRedis {
  url: string;
  stop(): Promise<void>;
}

export const REDIS_INSTALL_HINT =
  'Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL to an existing Redis server.';

const READY = /ready to accept connections/i;
const START_TIMEOUT_MS = 15_000;

function redisFiles(dataDir: string) {
  const dir = path.join(path.resolve(dataDir), 'redis');
  return { dir, pid: path.join(dir, 'redis.pid'), port: path.join(dir, 'port'), owner: path.join(dir, 'owner.pid') };
}

/**
 * Starts a `redis-server` child listening on 127.0.0.1 with its files under `<dataDir>/redis`,
 * after stopping one left running there by a gateway that was killed, and restarts it on the same
 * port should it die. Installs redis-server first when it is missing and this is Debian or Ubuntu
 * as root (see ensureCommand).
 */
export async function startRedisServer(opts: RedisServerOptions): Promise<RunningRedis> {
  const { log } = opts;
  const bin = await ensureCommand('redis-server', 'redis-server', log, REDIS_INSTALL_HINT, opts.system);
  const files = redisFiles(opts.dataDir);
  await mkdir(files.dir, { recursive: true });
  const claimed = await claim(files.owner);
  if (claimed.kind === 'in-use') {
    throw new Error(`the redis-server in ${files.dir} is run by process ${claimed.owner}; stop it or use another HELPDESK_DATA_DIR`);
  }
  try {
    await stopStaleRedis(files.pid, files.dir, log);
    const spawnOn = (p: number) =>
      spawnUntilReady(
        {
          name: 'redis-server',
          bin,
          cwd: files.dir,
          args: [
            '--port',
            String(p),
            '--bind',
            '127.0.0.1',
            '--dir',
            files.dir,
            '--pidfile',
            files.pid,
            '--appendonly',
            opts.appendOnly ?? 'yes',
            '--daemonize',
            'no',
          ],
          ready: READY,
          timeoutMs: START_TIMEOUT_MS,
        },
        log,
      );
    const { server: first, port } = await startOnPort(spawnOn, opts.port ?? (await persistentPort(files.port)).port, {
      fixed: opts.port !== undefined,
      another: async () => (await persistentPort(files.port)).port,
    });
    const server = supervise(first, {
      name: 'redis-server',
      log,
      // A restart keeps the port: the clients' URL is fixed, and they reconnect to it by themselves.
      restart: () => spawnOn(port),
      stopSignal: 'SIGTERM',
      onGiveUp: opts.onGiveUp ?? ((err) => log.error({ err: err.message }, 'redis-server is down for good')),
    });
    log.info({ port }, 'redis-server ready');
    return {
      url: `redis://127.0.0.1:${port}`,
      stop: async () => {
        await server.stop();
        await release(files.owner);
      },
    };
  } catch (err) {
    await release(files.owner);
    throw err;
  }
}

/** The redis-server of `dataDir` when a live gateway runs it (see runningEmbeddedPostgres). */
export async function runningRedisServer(dataDir: string): Promise<{ url: string; owner: number } | undefined> {
  const files = redisFiles(dataDir);
  const owner = await liveOwner(files.owner);
  if (owner === undefined) return undefined;
  const port = Number((await readFile(files.port, 'utf8')).trim());
  return { url: `redis://127.0.0.1:${port}`, owner };
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
