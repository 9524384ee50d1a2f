import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openTicket } from '../../../src/tickets/open-ticket.js';
import { createNotifyDesk, HOTLINE, outboxRows, ticketDetail, type NotifyDesk } from './notify-desk.js';
import { waitFor } from '../../support/wait.js';

/**
 * Issue 6, "done when": killing the worker mid-send and starting it again sends each message
 * exactly once. The worker runs in a child process that is SIGKILLed while the Twilio stand-in holds
 * its request open; a fresh worker then takes over the row once its lease has lapsed.
 */

let nd: NotifyDesk;
let child: ChildProcess | undefined;
const here = path.dirname(fileURLToPath(import.meta.url));

beforeAll(async () => {
  nd = await createNotifyDesk();
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  child = undefined;
  await nd.stopNotifier();
});
afterAll(async () => {
  await nd?.close();
});

async function startChild(): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'worker-child.ts')], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...nd.env,
      DATABASE_URL: nd.desk.databaseUrl,
      REDIS_URL: nd.desk.redisUrl,
      NOTIFY_PREFIX: nd.prefix,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`worker child exited (${code}): ${stderr}`)));
  });
  return proc;
}

async function callerTicket(phone: string) {
  const opened = await openTicket(nd.desk.services.tickets, {
    channel: 'voice',
    subject: 'Écran noir',
    description: "L'écran reste noir au démarrage.",
    requester: { phone },
    message: { externalId: `CA${phone.replace(/\D/g, '')}${'0'.repeat(20)}`, sender: phone, recipient: HOTLINE, body: '' },
  });
  if (!opened.created) throw new Error('not created');
  return opened.ticket;
}

async function killMidSend(phone: string) {
  child = await startChild();
  const ticket = await callerTicket(phone);
  await waitFor('the request held open by Twilio', () => nd.standIn.held() === 1);
  const [row] = await outboxRows(nd.desk, ticket.id);
  expect(row?.status).toBe('sending');
  child.kill('SIGKILL');
  await once(child, 'exit');
  return ticket;
}

describe('a worker killed mid-send', () => {
  it('had reached Twilio: the new worker finds the text there, records it and sends nothing', async () => {
    const phone = '+33677777701';
    nd.standIn.holdNext(1, 'accepted');
    const ticket = await killMidSend(phone);
    expect(nd.standIn.messages.filter((m) => m.to === phone)).toHaveLength(1);

    await nd.start();
    const row = await waitFor('the row sent', async () => (await outboxRows(nd.desk, ticket.id)).find((r) => r.status === 'sent'));
    const texts = nd.standIn.messages.filter((m) => m.to === phone);
    expect(texts).toHaveLength(1);
    expect(nd.standIn.requests.filter((r) => r.method === 'POST' && r.form.To === phone)).toHaveLength(1);
    expect(row.externalId).toBe(texts[0]?.sid);
    const detail = await ticketDetail(nd.desk, ticket.number);
    expect(detail.messages.filter((m) => m.direction === 'out').map((m) => m.externalId)).toEqual([texts[0]?.sid]);
    expect(detail.events.filter((e) => e.type === 'notified')).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ kind: 'requester.created', reconciled: true }) }),
    ]);
  });

  it('had not reached Twilio: the new worker sends the text, once', async () => {
    const phone = '+33677777702';
    nd.standIn.holdNext(1, 'unprocessed');
    const ticket = await killMidSend(phone);
    expect(nd.standIn.messages.filter((m) => m.to === phone)).toHaveLength(0);

    await nd.start();
    const row = await waitFor('the row sent', async () => (await outboxRows(nd.desk, ticket.id)).find((r) => r.status === 'sent'));
    const texts = nd.standIn.messages.filter((m) => m.to === phone);
    expect(texts).toHaveLength(1);
    expect(texts[0]?.body).toContain(`HD-${ticket.number}`);
    expect(row.externalId).toBe(texts[0]?.sid);
    expect(row.attempts).toBe(2);
    const detail = await ticketDetail(nd.desk, ticket.number);
    expect(detail.events.filter((e) => e.type === 'notified')).toHaveLength(1);
  });
});
