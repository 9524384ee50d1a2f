import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNotifier, type Notifier } from '../../../src/notify/notifier.js';
import { channelsFromConfig } from '../../../src/notify/channels-from-config.js';
import { openTicket } from '../../../src/tickets/open-ticket.js';
import { FAST } from './fast.js';
import { createNotifyDesk, HOTLINE, outboxRows, type NotifyDesk } from './notify-desk.js';
import { waitFor } from '../../support/wait.js';

/**
 * Issue 11, item 15: the claim lease is short (a killed worker's rows go out seconds later), so a
 * send that takes longer than the lease must keep its claim by renewing it. Two workers share the
 * queue; Twilio holds the first request for several leases; the second worker must not take the
 * row over and text the same person again.
 */

let nd: NotifyDesk;
let second: Notifier | undefined;
const LEASE_MS = 600;

beforeAll(async () => {
  nd = await createNotifyDesk();
});
afterAll(async () => {
  await second?.stop();
  await nd?.close();
});

describe('a send slower than the lease', () => {
  it('keeps its claim by renewing it: another worker does not send the text again', async () => {
    await nd.start({ leaseMs: LEASE_MS });
    second = await startNotifier({
      store: nd.desk.services.store,
      log: nd.desk.log,
      redisUrl: nd.desk.redisUrl,
      prefix: nd.prefix,
      channels: channelsFromConfig(nd.desk.config),
      timeZone: nd.desk.config.timezone,
      ...FAST,
      leaseMs: LEASE_MS,
    });
    const phone = '+33677777711';
    // Not created at Twilio until released: a lookup by a second worker would find nothing and send.
    nd.standIn.holdNext(1, 'unprocessed');
    const opened = await openTicket(nd.desk.services.tickets, {
      channel: 'voice',
      subject: 'Écran noir',
      description: "L'écran reste noir.",
      requester: { phone },
      message: { externalId: `CA${'1'.repeat(32)}`, sender: phone, recipient: HOTLINE, body: '' },
    });
    if (!opened.created) throw new Error('not created');
    await waitFor('the request held open by Twilio', () => nd.standIn.held() === 1);
    // Five leases, with both workers scanning every 200 ms.
    await sleep(LEASE_MS * 5);
    expect(nd.standIn.requests.filter((r) => r.method === 'POST' && r.form.To === phone)).toHaveLength(1);
    const [held] = await outboxRows(nd.desk, opened.ticket.id);
    expect(held?.status).toBe('sending');
    expect(held?.attempts).toBe(1);

    nd.standIn.releaseHeld();
    const row = await waitFor('the row sent', async () => (await outboxRows(nd.desk, opened.ticket.id)).find((r) => r.status === 'sent'));
    expect(row.attempts).toBe(1);
    expect(nd.standIn.messages.filter((m) => m.to === phone)).toHaveLength(1);
    expect(nd.standIn.requests.filter((r) => r.method === 'POST' && r.form.To === phone)).toHaveLength(1);
  }, 30_000);
});
