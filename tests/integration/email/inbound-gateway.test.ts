import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/runtime/ports.js';
import {
  cleanUp,
  freshDataDir,
  printedToken,
  problems,
  spawnGateway,
  untilReady,
  userEnv,
  type RunningGateway,
} from '../lifecycle/gateway.js';
import { mail } from './mail-desk.js';

/**
 * The whole gateway as `npm start` runs it (bin/helpdesk.js, embedded Postgres and Redis), with
 * MAIL_INBOUND_URL set: the mail role listens, a message pushed by LMTP is a ticket the API lists, and
 * a SIGTERM stops it cleanly with the listener.
 */
const gateways: RunningGateway[] = [];
let dir: string | undefined;

afterAll(async () => {
  if (dir) await cleanUp(dir, gateways);
});

describe('the gateway started with MAIL_INBOUND_URL', () => {
  it('takes mail by LMTP in its mail role, shows it in /ready, and stops cleanly', async () => {
    dir = await freshDataDir();
    const [port, lmtpPort] = [await freePort(), await freePort()];
    const env = userEnv(dir, {
      MAIL_INBOUND_URL: `lmtp://127.0.0.1:${lmtpPort}`,
      MAIL_INBOUND_DOMAINS: 'desk.example',
      MAIL_FROM: 'Helpdesk <helpdesk@desk.example>',
    });
    const gateway = spawnGateway(env, port);
    gateways.push(gateway);
    await untilReady(gateway);

    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: lmtpPort, lmtp: true, ignoreTLS: true });
    try {
      const info = await transport.sendMail({
        envelope: { from: 'mta@client.example', to: ['helpdesk@desk.example'] },
        raw: mail({ from: 'lou@client.example', to: 'helpdesk@desk.example', subject: 'Pushed through the gateway', body: 'Hello.' }),
      });
      expect(String(info.response)).toMatch(/^250 .*ticket \d+/);
    } finally {
      transport.close();
    }
    const auth = { Authorization: `Bearer ${printedToken(gateway)}` };
    const listed = (await (await fetch(`${gateway.url}/api/tickets`, { headers: auth })).json()) as {
      items: { subject: string; channel: string }[];
    };
    expect(listed.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ subject: 'Pushed through the gateway', channel: 'email' })]),
    );
    const ready = (await (await fetch(`${gateway.url}/ready`)).json()) as { details?: Record<string, unknown> };
    expect(ready.details?.[`inbound:lmtp://127.0.0.1:${lmtpPort}`]).toMatchObject({ protocol: 'lmtp', port: lmtpPort });

    process.kill(-(gateway.child.pid ?? 0), 'SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(problems(gateway.output())).toEqual([]);
  }, 120_000);
});
