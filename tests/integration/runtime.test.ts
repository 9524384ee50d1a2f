import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { ensureCommand, isDebianLike } from '../../src/runtime/install.js';
import { startEmbeddedPostgres } from '../../src/runtime/postgres.js';
import { isAlive, readPidFile } from '../../src/runtime/processes.js';
import { REDIS_INSTALL_HINT, startRedisServer } from '../../src/runtime/redis.js';
import { createTestDatabase } from '../support/db.js';
import { createUser, deliver, IMAP_PASSWORD } from '../support/dovecot.js';
import { deleteKeys, uniquePrefix } from '../support/redis.js';

const log = silentLogger();
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'helpdesk-runtime-'));
  // As root, Postgres runs as `postgres` and must traverse the data dir's parent.
  await chmod(dir, 0o755);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Runs `call` (an expression using `runtime`, the imported module) in a separate Node process,
 * waits until it has started the server, then SIGKILLs that process: no stop(), no exit handlers,
 * as when a gateway is killed. Node runs directly, not through npx, so the pid is the one to kill.
 */
async function startThenKill(module: string, call: string): Promise<void> {
  const code = `const runtime = await import(${JSON.stringify(path.join(projectRoot, module))});
const { silentLogger } = await import(${JSON.stringify(path.join(projectRoot, 'src/log.ts'))});
const log = silentLogger();
await ${call};
console.log('STARTED');
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('STARTED')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (exitCode) => reject(new Error(`child exited (${exitCode}): ${output}`)));
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
}

describe('embedded Postgres', () => {
  let firstUrl = '';

  it('initialises a fresh data dir and answers select 1', async () => {
    const server = await startEmbeddedPostgres({ dataDir: dir, log });
    try {
      expect(server.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/helpdesk$/);
      expect(await query(server.url, 'select 1 as one')).toEqual([{ one: 1 }]);
      firstUrl = server.url;
      await query(server.url, 'create table kept (id int)');
    } finally {
      await server.stop();
    }
  });

  it('reuses the data, the password and the port on a second start', async () => {
    const server = await startEmbeddedPostgres({ dataDir: dir, log });
    try {
      expect(server.url).toBe(firstUrl);
      expect(await query(server.url, 'select count(*)::int as n from kept')).toEqual([{ n: 0 }]);
    } finally {
      await server.stop();
    }
  });

  it('starts again after the gateway that ran it was SIGKILLed', async () => {
    await startThenKill('src/runtime/postgres.ts', `runtime.startEmbeddedPostgres({ dataDir: ${JSON.stringify(dir)}, log })`);
    const orphan = await readPidFile(path.join(dir, 'postgres/data/postmaster.pid'));
    expect(orphan !== undefined && (await isAlive(orphan))).toBe(true);

    const server = await startEmbeddedPostgres({ dataDir: dir, log });
    try {
      expect(server.url).toBe(firstUrl);
      expect(await query(server.url, 'select count(*)::int as n from kept')).toEqual([{ n: 0 }]);
      expect(await isAlive(orphan ?? 0)).toBe(false);
    } finally {
      await server.stop();
    }
  });
});

describe('a server that dies under a running gateway', () => {
  it('embedded Postgres: started again on the same port, the same URL answers', async () => {
    const server = await startEmbeddedPostgres({ dataDir: dir, log });
    try {
      const pid = await readPidFile(path.join(dir, 'postgres/data/postmaster.pid'));
      process.kill(pid ?? 0, 'SIGKILL');
      const started = Date.now();
      let rows: unknown[] = [];
      while (Date.now() - started < 30_000) {
        rows = await query(server.url, 'select count(*)::int as n from kept').catch(() => []);
        if (rows.length > 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(rows).toEqual([{ n: 0 }]);
      expect(await readPidFile(path.join(dir, 'postgres/data/postmaster.pid'))).not.toBe(pid);
    } finally {
      await server.stop();
    }
  });

  it('redis-server: started again on the same port, the client reconnects by itself', async () => {
    const server = await startRedisServer({ dataDir: dir, log, appendOnly: 'no' });
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    try {
      expect(await redis.ping()).toBe('PONG');
      const pid = await readPidFile(path.join(dir, 'redis/redis.pid'));
      process.kill(pid ?? 0, 'SIGKILL');
      const started = Date.now();
      let answer = '';
      while (Date.now() - started < 30_000 && answer !== 'PONG') {
        answer = await redis.ping().catch(() => '');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(answer).toBe('PONG');
      expect(await readPidFile(path.join(dir, 'redis/redis.pid'))).not.toBe(pid);
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });
});

describe('redis-server', () => {
  it('starts, answers PING, and stop() ends the process', async () => {
    const server = await startRedisServer({ dataDir: dir, log, appendOnly: 'no' });
    const pid = await readPidFile(path.join(dir, 'redis/redis.pid'));
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
      await server.stop();
    }
    expect(pid).toBeDefined();
    expect(await isAlive(pid ?? 0)).toBe(false);
  });

  it('starts again after the gateway that ran it was SIGKILLed', async () => {
    await startThenKill('src/runtime/redis.ts', `runtime.startRedisServer({ dataDir: ${JSON.stringify(dir)}, log, appendOnly: 'no' })`);
    const orphan = await readPidFile(path.join(dir, 'redis/redis.pid'));
    expect(orphan !== undefined && (await isAlive(orphan))).toBe(true);

    const server = await startRedisServer({ dataDir: dir, log, appendOnly: 'no' });
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    try {
      expect(await redis.ping()).toBe('PONG');
      expect(await isAlive(orphan ?? 0)).toBe(false);
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });
});

describe('a missing command', () => {
  const nowhere = { searchDirs: () => [] };

  it('off Debian, fails with how to install redis-server or set REDIS_URL', async () => {
    const macos = { ...nowhere, osRelease: async () => undefined };
    await expect(startRedisServer({ dataDir: dir, log, system: macos })).rejects.toThrow(
      /redis-server was not found.*apt-get install redis-server.*brew install redis.*REDIS_URL/,
    );
  });

  it('on Debian but not root, fails with the same advice and installs nothing', async () => {
    const calls: string[] = [];
    const system = {
      ...nowhere,
      osRelease: async () => 'ID=debian\n',
      isRoot: () => false,
      run: async (cmd: string, args: string[]) => (calls.push([cmd, ...args].join(' ')), { code: 0, output: '' }),
    };
    await expect(ensureCommand('redis-server', 'redis-server', log, REDIS_INSTALL_HINT, system)).rejects.toThrow(/REDIS_URL/);
    expect(calls).toEqual([]);
  });

  it('on Debian as root, runs apt-get install, and apt-get update first when the lists are missing', async () => {
    const calls: string[] = [];
    const system = {
      ...nowhere,
      osRelease: async () => 'ID=ubuntu\nID_LIKE=debian\n',
      isRoot: () => true,
      run: async (cmd: string, args: string[]) => {
        calls.push([cmd, ...args.filter((a) => !a.startsWith('DPkg') && a !== '-o')].join(' '));
        return calls.length === 1 ? { code: 100, output: 'E: Unable to locate package dovecot-imapd' } : { code: 0, output: '' };
      },
    };
    // The fake install provides nothing, so the command is still missing afterwards.
    await expect(ensureCommand('dovecot', 'dovecot-imapd', log, 'hint', system)).rejects.toThrow(/did not provide it/);
    expect(calls).toEqual(['apt-get install -y dovecot-imapd', 'apt-get update', 'apt-get install -y dovecot-imapd']);
  });

  it('recognises Debian and its derivatives from /etc/os-release', () => {
    expect(isDebianLike('ID=debian\nVERSION_ID="12"\n')).toBe(true);
    expect(isDebianLike('ID=linuxmint\nID_LIKE="ubuntu debian"\n')).toBe(true);
    expect(isDebianLike('ID="fedora"\n')).toBe(false);
    expect(isDebianLike('ID=alpine\n')).toBe(false);
  });
});

describe('the servers of the global setup', () => {
  it('gives each test file a database of its own, dropped afterwards', async () => {
    const db = await createTestDatabase(inject('databaseUrl'));
    await query(db.url, 'create table t (id int)');
    await db.drop();
    expect(await query(inject('databaseUrl'), `select 1 from pg_database where datname = '${db.name}'`)).toEqual([]);
  });

  it('deletes the Redis keys of one prefix only', async () => {
    const [mine, theirs] = [uniquePrefix(), uniquePrefix()];
    const redis = new Redis(inject('redisUrl'));
    try {
      await redis.mset(`${mine}:q:1`, 'a', `${mine}:q:2`, 'b', `${theirs}:q:1`, 'c');
      expect(await deleteKeys(inject('redisUrl'), mine)).toBe(2);
      expect(await redis.get(`${theirs}:q:1`)).toBe('c');
      await deleteKeys(inject('redisUrl'), theirs);
    } finally {
      redis.disconnect();
    }
  });

  it('serves a delivered message over IMAP', async () => {
    const { host, port, mailRoot } = inject('imap');
    const user = await createUser(mailRoot);
    await deliver(mailRoot, user, 'From: someone@example.org\r\nSubject: printer\r\n\r\nIt jams.\r\n');
    const client = new ImapFlow({ host, port, secure: false, auth: { user, pass: IMAP_PASSWORD }, logger: false });
    await client.connect();
    try {
      expect(await client.status('INBOX', { messages: true })).toMatchObject({ messages: 1 });
    } finally {
      await client.logout();
    }
  });
});
