import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/runtime/ports.js';
import { startTwilioStandIn, twilioSignature, type TwilioStandIn } from '../../support/twilio-standin.js';
import {
  cleanUp,
  freshDataDir,
  printedToken,
  readyStatus,
  serverPids,
  spawnGateway,
  untilReady,
  userEnv,
  type RunningGateway,
} from './gateway.js';
import { waitFor } from '../../support/wait.js';

// Redis, then Postgres, killed under light load beside a gateway that started them: /ready says
// 503 while they are away, the API answers 503 or succeeds (never a 500, never a hang), they come
// back on their own within 30 s, and what was accepted is all there, acknowledged.

const HOTLINE = '+33100000000';
let dataDir = '';
const gateways: RunningGateway[] = [];
let twilio: TwilioStandIn | undefined;

afterAll(async () => {
  await twilio?.stop();
  if (dataDir) await cleanUp(dataDir, gateways);
});

type Outcome = { kind: 'sms' | 'create' | 'list'; status: number | 'hang' | 'refused'; phone?: string; number?: number };

/** Requests at a steady, light pace until stopped: SMS webhooks, API creates and lists. */
function lightLoad(url: string, token: string, standIn: TwilioStandIn) {
  const outcomes: Outcome[] = [];
  let stopped = false;
  let i = 0;
  const one = async (): Promise<Outcome> => {
    const n = i++;
    const timeout = AbortSignal.timeout(10_000);
    const settle = async (kind: Outcome['kind'], request: Promise<Response>, extra: Partial<Outcome> = {}): Promise<Outcome> => {
      try {
        const response = await request;
        const body: unknown = kind === 'create' ? await response.json().catch(() => null) : await response.text();
        const number = typeof body === 'object' && body !== null && 'number' in body ? Number(body.number) : undefined;
        return { kind, status: response.status, ...extra, ...(number !== undefined ? { number } : {}) };
      } catch (err) {
        return { kind, status: (err as Error).name === 'TimeoutError' ? 'hang' : 'refused', ...extra };
      }
    };
    if (n % 3 === 0) {
      const phone = `+3361${String(n).padStart(7, '0')}`;
      const params = {
        MessageSid: `SM${randomBytes(16).toString('hex')}`,
        AccountSid: standIn.accountSid,
        From: phone,
        To: HOTLINE,
        Body: `Mon imprimante est en panne (${n})`,
        NumMedia: '0',
      };
      const headers = {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(standIn.authToken, `${url}/twilio/sms`, params),
      };
      return settle('sms', fetch(`${url}/twilio/sms`, { method: 'POST', headers, body: new URLSearchParams(params), signal: timeout }), {
        phone,
      });
    }
    const auth = { authorization: `Bearer ${token}` };
    if (n % 3 === 1) {
      const body = JSON.stringify({
        subject: `VPN down ${n}`,
        description: 'Since this morning',
        requester: { email: `user${n}@example.com` },
      });
      return settle(
        'create',
        fetch(`${url}/api/tickets`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body, signal: timeout }),
      );
    }
    return settle('list', fetch(`${url}/api/tickets?limit=5`, { headers: auth, signal: timeout }));
  };
  const running = (async () => {
    const inFlight: Promise<void>[] = [];
    while (!stopped) {
      inFlight.push(one().then((o) => void outcomes.push(o)));
      await new Promise((r) => setTimeout(r, 150));
    }
    await Promise.all(inFlight);
  })();
  return {
    outcomes,
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}

const run = promisify(execFile);

/** A child of the postmaster that is not serving a client (the checkpointer). */
async function checkpointerOf(postmaster: number): Promise<number> {
  const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(postmaster)]);
  for (const pid of stdout
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((p) => p > 0)) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes('checkpointer')) return pid;
  }
  throw new Error('no checkpointer found');
}

describe('Redis and Postgres killed under load', () => {
  it('says 503 meanwhile, restarts them within 30 s, and loses nothing', async () => {
    dataDir = await freshDataDir();
    twilio = await startTwilioStandIn();
    const port = await freePort();
    const env = userEnv(dataDir, {
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_PHONE_NUMBER: HOTLINE,
      TWILIO_API_URL: twilio.url,
      HELPDESK_BUSINESS_HOURS: 'always',
    });
    const gateway = spawnGateway(env, port);
    gateways.push(gateway);
    await untilReady(gateway);
    const token = printedToken(gateway);
    const load = lightLoad(gateway.url, token, twilio);
    await new Promise((r) => setTimeout(r, 1_000));

    // Redis frozen (a hung server), then killed.
    const redis = (await serverPids(dataDir)).redis ?? 0;
    process.kill(redis, 'SIGSTOP');
    await waitFor('/ready 503 while Redis is frozen', async () => (await readyStatus(gateway.url)) === 503, { timeoutMs: 10_000 });
    process.kill(redis, 'SIGKILL');
    const redisBackFrom = Date.now();
    await waitFor('/ready 200 after Redis was killed', async () => (await readyStatus(gateway.url)) === 200, { timeoutMs: 30_000 });
    const redisBack = Date.now() - redisBackFrom;
    expect((await serverPids(dataDir)).redis).not.toBe(redis);
    await new Promise((r) => setTimeout(r, 1_000));

    // Postgres killed while one of its processes hangs on to the shared memory: it cannot come
    // back until that one goes, which gives /ready a window to say so.
    const postmaster = (await serverPids(dataDir)).postgres ?? 0;
    const checkpointer = await checkpointerOf(postmaster);
    process.kill(checkpointer, 'SIGSTOP');
    process.kill(postmaster, 'SIGKILL');
    await waitFor('/ready 503 while Postgres is down', async () => (await readyStatus(gateway.url)) === 503, { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await readyStatus(gateway.url)).toBe(503);
    process.kill(checkpointer, 'SIGKILL');
    const postgresBackFrom = Date.now();
    await waitFor('/ready 200 after Postgres was killed', async () => (await readyStatus(gateway.url)) === 200, { timeoutMs: 30_000 });
    const postgresBack = Date.now() - postgresBackFrom;

    await new Promise((r) => setTimeout(r, 1_500));
    await load.stop();
    const { outcomes } = load;
    expect(outcomes.filter((o) => o.status === 503).length, 'some requests met the outage').toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.status !== 200 && o.status !== 201 && o.status !== 503)).toEqual([]);
    expect(gateway.child.exitCode).toBeNull();

    // Nothing accepted is lost: each created ticket is there, each texted request got its ticket
    // and its acknowledgement (the notifications flow again through the restarted Redis).
    const auth = { authorization: `Bearer ${token}` };
    for (const created of outcomes.filter((o) => o.kind === 'create' && o.status === 201)) {
      expect((await fetch(`${gateway.url}/api/tickets/${created.number}`, { headers: auth })).status).toBe(200);
    }
    const texted = outcomes.filter((o) => o.kind === 'sms' && o.status === 200).map((o) => o.phone ?? '');
    expect(texted.length).toBeGreaterThan(3);
    for (const phone of texted) {
      const found = (await (await fetch(`${gateway.url}/api/tickets?q=${encodeURIComponent(phone)}`, { headers: auth })).json()) as {
        total: number;
      };
      expect(found.total, phone).toBe(1);
    }
    const stand = twilio;
    await waitFor(
      'an acknowledgement to every texted request',
      async () => texted.every((phone) => stand.messages.some((m) => m.to === phone)),
      { timeoutMs: 30_000 },
    );
    expect(redisBack + postgresBack).toBeLessThan(60_000);
  }, 150_000);
});
