import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { channelsFromConfig } from '../../../src/notify/channels-from-config.js';
import { startNotifyWorker } from '../../../src/notify/worker.js';
import type { RoleStopper } from '../../../src/roles/types.js';
import { openTicket } from '../../../src/tickets/open-ticket.js';
import { deleteKeys } from '../../support/redis.js';
import { createNotifyDesk, HOTLINE, outboxRows, type NotifyDesk } from './notify-desk.js';
import { waitFor } from '../../support/wait.js';

/** SMTP_URL unset: email notifications stay queued, SMS still go, and the mail goes once SMTP is set. */

let nd: NotifyDesk;
// The production starter uses bull's default prefix; a Redis database of its own keeps it apart
// from every other test's queues.
let redisUrl: string;

beforeAll(async () => {
  nd = await createNotifyDesk({ smtp: false });
  redisUrl = `${nd.desk.redisUrl}/11`;
});
afterAll(async () => {
  await deleteKeys(redisUrl, 'bull');
  await nd?.close();
});

describe('without SMTP_URL', () => {
  it('keeps email rows pending with a warning, sends the SMS, and mails once SMTP is configured', async () => {
    const email = await openTicket(nd.desk.services.tickets, {
      channel: 'email',
      subject: 'Mot de passe expiré',
      description: 'Je ne peux plus me connecter.',
      requester: { email: 'erin@example.com' },
      message: { externalId: '<erin-1@example.com>', sender: 'erin@example.com', recipient: null, body: '' },
    });
    if (!email.created) throw new Error('not created');

    const lines: string[] = [];
    const log = createLogger({
      level: 'warn',
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    const health = new Map<string, () => boolean | Record<string, unknown>>();
    const stop: RoleStopper = await startNotifyWorker({
      config: nd.desk.config,
      log,
      services: nd.desk.services,
      redisUrl,
      health,
    });
    try {
      const warning = lines.map((l) => JSON.parse(l) as { msg: string; waiting?: number }).find((l) => l.msg.includes('SMTP_URL unset'));
      expect(warning?.waiting).toBe(1);
      expect(health.get('notify')?.()).toMatchObject({ ok: true, channels: ['sms'] });

      // A caller's ticket, written after the email one: its SMS goes out; the email row, due
      // earlier, would have gone in the same pass had email been on.
      const caller = await openTicket(nd.desk.services.tickets, {
        channel: 'voice',
        subject: 'Imprimante',
        description: '',
        requester: { phone: '+33688888888' },
        message: { externalId: 'CA9999', sender: '+33688888888', recipient: HOTLINE, body: '' },
      });
      if (!caller.created) throw new Error('not created');
      await waitFor('the caller SMS', async () => (await outboxRows(nd.desk, caller.ticket.id))[0]?.status === 'sent');
      expect(await outboxRows(nd.desk, email.ticket.id)).toEqual([
        expect.objectContaining({ kind: 'requester.created', channel: 'email', status: 'pending', attempts: 0 }),
      ]);
    } finally {
      await stop();
    }
    expect(health.has('notify')).toBe(false);

    // SMTP configured (a restart with SMTP_URL): the queued acknowledgement goes out.
    await nd.start({ channels: channelsFromConfig({ ...nd.desk.config, smtpUrl: nd.receiver.url }) });
    const [mail] = await nd.receiver.waitFor(1);
    expect(mail?.envelope.to).toEqual(['erin@example.com']);
    expect(mail?.parsed.subject).toBe(`[HD-${email.ticket.number}] Demande enregistrée : Mot de passe expiré`);
    await waitFor('the row sent', async () => (await outboxRows(nd.desk, email.ticket.id))[0]?.status === 'sent');
  });
});
