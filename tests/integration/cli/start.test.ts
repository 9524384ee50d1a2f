import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/runtime/ports.js';
import { cleanUp } from '../lifecycle/gateway.js';

const BIN = path.resolve('bin/helpdesk.js');
const children: ChildProcess[] = [];
let dataDir = '';

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  // The servers run in process groups of their own: after a failed test they are still there.
  if (dataDir) await cleanUp(dataDir, []);
});

interface Started {
  child: ChildProcess;
  output: () => string;
}

/** `helpdesk start` as a user runs it: no DATABASE_URL, no REDIS_URL, a data dir of its own. */
async function start(port: number): Promise<Started> {
  const env: NodeJS.ProcessEnv = { ...process.env, HELPDESK_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.HELPDESK_API_TOKEN;
  const child = spawn(process.execPath, [BIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited ${child.exitCode}:\n${output}`);
    const status = await fetch(`http://127.0.0.1:${port}/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return { child, output: () => output };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready within 30 s:\n${output}`);
}

describe('npm start on embedded defaults', () => {
  it('comes up ready, keeps its data across a restart and a kill -9, and stops cleanly', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'helpdesk-cli-'));
    await chmod(dataDir, 0o755);
    const port = await freePort();

    const first = await start(port);
    const token = /Coordinator API token[^:]*: (\S+)/.exec(first.output())?.[1];
    expect(token, first.output()).toBeDefined();
    const created = await fetch(`http://127.0.0.1:${port}/api/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'Screen flickers', requester: { email: 'kim@example.com' } }),
    });
    expect(created.status).toBe(201);
    const { number } = (await created.json()) as { number: number };

    // A killed gateway leaves its Postgres and Redis running; the next start must not trip on them.
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    const second = await start(port);
    expect(second.output()).not.toContain('Coordinator API token');
    const read = await fetch(`http://127.0.0.1:${port}/api/tickets/${number}`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);

    second.child.kill('SIGTERM');
    const [code] = await once(second.child, 'exit');
    expect(code).toBe(0);

    const third = await start(port);
    const again = await fetch(`http://127.0.0.1:${port}/api/tickets/${number}`, { headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(200);
    third.child.kill('SIGTERM');
    await once(third.child, 'exit');
  }, 120_000);

  it('refuses a bad setting with one line naming the variable', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HELPDESK_LANGUAGE: 'de' };
    const child = spawn(process.execPath, [BIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual(['helpdesk: HELPDESK_LANGUAGE: expected fr or en']);
  }, 30_000);
});
