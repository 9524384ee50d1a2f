import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelsFromConfig } from '../../../src/notify/channels-from-config.js';
import { startNotifier, type Notifier } from '../../../src/notify/notifier.js';
import { bearer, COORDINATOR_TOKEN } from '../../support/desk.js';
import { deleteKeys, uniquePrefix } from '../../support/redis.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.js';
import { waitFor } from '../../support/wait.js';
import { createMailDesk, mail, type MailDesk } from '../email/mail-desk.js';
import { FAST } from '../notify/fast.js';

/**
 * Issue 16, end to end: an email about a forgotten password, read from the mailbox (Dovecot) by the
 * email intake's one path, is acknowledged through SMTP with the matching article and its link, and
 * the link resolves the ticket once.
 */

const PUBLIC_URL = 'https://desk.example.org';
let md: MailDesk;
let receiver: SmtpReceiver;
let notifier: Notifier | undefined;
const prefix = uniquePrefix();

beforeAll(async () => {
  receiver = await startSmtpReceiver();
  md = await createMailDesk({ env: { SMTP_URL: receiver.url, PUBLIC_URL } });
  notifier = await startNotifier({
    store: md.desk.services.store,
    log: md.desk.log,
    redisUrl: md.desk.redisUrl,
    prefix,
    channels: channelsFromConfig(md.desk.config),
    timeZone: md.desk.config.timezone,
    ...FAST,
  });
});
afterAll(async () => {
  await notifier?.stop();
  await deleteKeys(md.desk.redisUrl, prefix);
  await md?.close();
  await receiver?.stop();
});

describe('an email about a forgotten password', () => {
  it('is acknowledged with the matching article, whose link resolves the ticket once', async () => {
    const written = await request(md.desk.app).post('/api/articles').set(bearer(COORDINATOR_TOKEN)).send({
      title: 'Forgotten password: reset it yourself',
      body: 'Open the reset page and follow the link you receive.',
      language: 'en',
      published: true,
    });
    expect(written.status).toBe(201);
    const articleId = (written.body as { id: string }).id;

    await md.deliver(
      mail({
        from: 'Erin Walsh <erin@client.example>',
        subject: 'I forgot my password',
        body: 'Hello,\n\nI forgot my password and cannot log in since this morning.\n\nErin',
      }),
    );
    await md.startReader();
    const ack = await waitFor(
      'the acknowledgement',
      () => receiver.messages.find((m) => m.envelope.to.includes('erin@client.example')) ?? null,
      {
        timeoutMs: 20_000,
      },
    );
    const text = ack.parsed.text ?? '';
    expect(text).toContain('Forgotten password: reset it yourself');
    const code = new RegExp(`${PUBLIC_URL}/kb/s/([A-Za-z0-9_-]{28})`).exec(text)?.[1];
    expect(code).toBeDefined();

    expect((await request(md.desk.app).get(`/kb/s/${code}`)).status).toBe(200);
    expect((await request(md.desk.app).post(`/kb/s/${code}/solved`).type('form').send({})).status).toBe(200);
    expect((await request(md.desk.app).post(`/kb/s/${code}/solved`).type('form').send({})).status).toBe(410);
    const list = await request(md.desk.app).get('/api/tickets').query({ q: 'forgot my password' }).set(bearer(COORDINATOR_TOKEN));
    const [ticket] = (list.body as { items: { id: string; status: string }[] }).items;
    expect(ticket?.status).toBe('resolved');
    const detail = await request(md.desk.app).get(`/api/tickets/${ticket?.id}`).set(bearer(COORDINATOR_TOKEN));
    const resolved = (detail.body as { events: { type: string; data: Record<string, unknown> }[] }).events.filter(
      (e) => e.type === 'resolved',
    );
    expect(resolved).toHaveLength(1);
    expect(resolved[0]?.data).toMatchObject({ via: 'self-service', articleId });
  });
});
