import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/runtime/ports.js';
import { cleanUp, freshDataDir, readyStatus, runCli, spawnGateway, userEnv, type RunningGateway } from './gateway.js';

const dirs: string[] = [];
const gateways: RunningGateway[] = [];

afterAll(async () => {
  for (const dir of dirs) await cleanUp(dir, gateways);
});

async function dataDir(): Promise<string> {
  const dir = await freshDataDir();
  dirs.push(dir);
  return dir;
}

describe('a start that cannot succeed', () => {
  it('exits non-zero with one line naming PORT when the port is taken, never claiming to have started', async () => {
    const port = await freePort();
    // Like `python3 -m http.server 3997`: every interface.
    const squatter = net.createServer((socket) => socket.end('HTTP/1.1 200 OK\r\n\r\nnot the gateway'));
    await new Promise<void>((resolve) => squatter.listen(port, resolve));
    try {
      const gateway = spawnGateway(userEnv(await dataDir()), port);
      gateways.push(gateway);
      const code = await gateway.exited;
      expect(code).not.toBe(0);
      expect(gateway.output()).toContain(`helpdesk: PORT: port ${port} is already in use`);
      expect(gateway.output()).not.toContain('gateway started');
      expect(gateway.output()).not.toContain('HTTP listening');
    } finally {
      squatter.close();
    }
  }, 60_000);

  it('refuses an unknown IMAP_URL option before anything listens', async () => {
    const port = await freePort();
    const env = userEnv(await dataDir(), { IMAP_URL: 'imap://desk:secret@127.0.0.1:143/INBOX?categroy=network' });
    const gateway = spawnGateway(env, port);
    gateways.push(gateway);
    let answered = 0;
    while (gateway.child.exitCode === null) {
      if ((await readyStatus(gateway.url, 1_000)) !== 0) answered++;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await gateway.exited).toBe(1);
    expect(answered).toBe(0);
    expect(gateway.output().trim().split('\n')).toEqual([
      'helpdesk: IMAP_URL: unknown option "categroy" (known: category, urgency, address, poll, seen, auth)',
    ]);
  }, 60_000);

  it('doctor names each thing that is wrong, one line each, and exits 1', async () => {
    const closed = await freePort();
    const env = userEnv(await dataDir(), {
      DATABASE_URL: `postgres://helpdesk:wrong@127.0.0.1:${closed}/helpdesk`,
      REDIS_URL: `redis://127.0.0.1:${closed}`,
      IMAP_URL: `imap://desk:secret@127.0.0.1:${closed}/INBOX`,
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'not-the-token',
      TWILIO_PHONE_NUMBER: '+33612345678',
      TWILIO_API_URL: `http://127.0.0.1:${closed}`,
    });
    const { code, stdout } = await runCli(['doctor'], env);
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^ok +configuration/);
    for (const subject of ['database', 'redis', `mailbox imap://desk@127.0.0.1:${closed}/INBOX`, 'twilio']) {
      expect(lines.find((l) => l.includes(` ${subject}: `))).toMatch(new RegExp(`^FAIL +.*ECONNREFUSED`));
    }

    const bad = await runCli(['doctor'], { ...env, HELPDESK_LANGUAGE: 'de' });
    expect(bad.code).toBe(1);
    expect(bad.stdout.trim()).toBe('FAIL  configuration: HELPDESK_LANGUAGE: expected fr or en');
  }, 60_000);
});
