import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/runtime/ports.js';
import { startTwilioStandIn, twilioSignature, type TwilioStandIn } from '../../support/twilio-standin.js';
import { cleanUp, freshDataDir, readyStatus, spawnGateway, untilReady, userEnv, type RunningGateway } from './gateway.js';
import { waitFor } from '../../support/wait.js';

// A Redis the gateway did not start (REDIS_URL) goes away and comes back: the gateway does not
// restart it, says 503 meanwhile, and reconnects by itself; queued notifications flow again.

const HOTLINE = '+33100000001';
let dataDir = '';
const gateways: RunningGateway[] = [];
let twilio: TwilioStandIn | undefined;
let redis: ChildProcess | undefined;

afterAll(async () => {
  redis?.kill('SIGKILL');
  await twilio?.stop();
  if (dataDir) await cleanUp(dataDir, gateways);
});

async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      if (/ready to accept connections/i.test(output)) resolve();
    });
    child.once('exit', () => reject(new Error(`redis-server exited: ${output}`)));
  });
  return child;
}

describe('an external Redis that goes away', () => {
  it('is waited for with /ready 503, and reconnected to when it is back', async () => {
    dataDir = await freshDataDir();
    const redisDir = path.join(dataDir, 'external-redis');
    await mkdir(redisDir);
    const redisPort = await freePort();
    redis = await startRedis(redisPort, redisDir);
    twilio = await startTwilioStandIn();
    const port = await freePort();
    const gateway = spawnGateway(
      userEnv(dataDir, {
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        TWILIO_ACCOUNT_SID: twilio.accountSid,
        TWILIO_AUTH_TOKEN: twilio.authToken,
        TWILIO_PHONE_NUMBER: HOTLINE,
        TWILIO_API_URL: twilio.url,
        HELPDESK_BUSINESS_HOURS: 'always',
      }),
      port,
    );
    gateways.push(gateway);
    await untilReady(gateway);
    const stand = twilio;
    const text = async (phone: string) => {
      const params = {
        MessageSid: `SM${randomBytes(16).toString('hex')}`,
        AccountSid: stand.accountSid,
        From: phone,
        To: HOTLINE,
        Body: 'Le wifi ne marche plus',
        NumMedia: '0',
      };
      const signature = twilioSignature(stand.authToken, `${gateway.url}/twilio/sms`, params);
      return (
        await fetch(`${gateway.url}/twilio/sms`, {
          method: 'POST',
          headers: { 'x-twilio-signature': signature },
          body: new URLSearchParams(params),
        })
      ).status;
    };

    redis.kill('SIGKILL');
    await once(redis, 'exit');
    await waitFor('/ready 503 while Redis is away', async () => (await readyStatus(gateway.url)) === 503, { timeoutMs: 10_000 });
    // A request while Redis is away: taken (its acknowledgement waits in the outbox) or 503.
    const during = await text('+33612000001');
    expect([200, 503]).toContain(during);
    await new Promise((r) => setTimeout(r, 5_000));
    expect(gateway.child.exitCode).toBeNull();
    expect(await readyStatus(gateway.url)).toBe(503);

    redis = await startRedis(redisPort, redisDir);
    await waitFor('/ready 200 once Redis is back', async () => (await readyStatus(gateway.url)) === 200, { timeoutMs: 30_000 });
    expect(await text('+33612000002')).toBe(200);
    const phones = during === 200 ? ['+33612000001', '+33612000002'] : ['+33612000002'];
    await waitFor('the acknowledgements', async () => phones.every((p) => stand.messages.some((m) => m.to === p)), { timeoutMs: 30_000 });
  }, 120_000);
});
