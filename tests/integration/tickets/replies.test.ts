import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelsFromConfig } from '../../../src/notify/channels-from-config.js';
import { startNotifier, type Notifier } from '../../../src/notify/notifier.js';
import { acceptTicket } from '../../../src/tickets/actions.js';
import { openTicket } from '../../../src/tickets/open-ticket.js';
import { bearer, COORDINATOR_TOKEN } from '../../support/desk.js';
import { deleteKeys, uniquePrefix } from '../../support/redis.js';
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '../../support/smtp-receiver.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../support/twilio-standin.js';
import { waitFor } from '../../support/wait.js';
import { createMailDesk, DESK_DOMAIN, mail, newMessageId, ticketsFrom, type MailDesk } from '../email/mail-desk.js';
import { FAST } from '../notify/fast.js';

/**
 * Issue 13, replies to the requester: a technician's reply leaves by the channel the requester used
 * (an email threaded on the ticket with the watchers in Cc, or an SMS), is recorded as an outbound
 * message and an event, and the requester's answer brings a pending ticket back to work. The whole
 * circle on real servers: Dovecot and the mail reader for what the requester sends, the notifier,
 * an SMTP receiver and the Twilio stand-in for what the desk sends.
 */

const HOTLINE = '+33100000000';
const auth = bearer(COORDINATOR_TOKEN);

let m: MailDesk;
let receiver: SmtpReceiver;
let standIn: TwilioStandIn;
let notifier: Notifier;
const prefix = uniquePrefix();

beforeAll(async () => {
  receiver = await startSmtpReceiver();
  standIn = await startTwilioStandIn();
  m = await createMailDesk({
    env: {
      SMTP_URL: receiver.url,
      PUBLIC_URL: 'https://desk.example',
      HELPDESK_LANGUAGE: 'en',
      TWILIO_ACCOUNT_SID: standIn.accountSid,
      TWILIO_AUTH_TOKEN: standIn.authToken,
      TWILIO_PHONE_NUMBER: HOTLINE,
      TWILIO_API_URL: standIn.url,
    },
  });
  await m.startReader();
  const { desk } = m;
  notifier = await startNotifier({
    store: desk.services.store,
    log: desk.log,
    redisUrl: desk.redisUrl,
    prefix,
    channels: channelsFromConfig(desk.config),
    timeZone: desk.config.timezone,
    ...FAST,
  });
});
afterAll(async () => {
  await notifier?.stop();
  await deleteKeys(m.desk.redisUrl, prefix);
  await m?.close();
  await standIn?.stop();
  await receiver?.stop();
});

const api = () => request(m.desk.app);

interface Detail {
  id: string;
  number: number;
  status: string;
  sla: { respondedAt: string | null };
  events: { type: string; actor: string; data: Record<string, unknown> }[];
  messages: {
    direction: string;
    channel: string;
    from: string | null;
    to: string | null;
    subject?: string;
    body: string;
    externalId: string;
  }[];
}

async function detail(key: number | string): Promise<Detail> {
  const res = await api().get(`/api/tickets/${key}`).set(auth);
  expect(res.status).toBe(200);
  return res.body as Detail;
}

async function technician(name: string, phone: string): Promise<{ id: string; token: string }> {
  const res = await api()
    .post('/api/technicians')
    .set(auth)
    .send({ name, phone, tier: 1, skills: ['printing'], language: 'en' });
  expect(res.status).toBe(201);
  return res.body as { id: string; token: string };
}

const mailsTo = (address: string) => receiver.messages.filter((r) => r.envelope.to.includes(address));
const header = (mail: ReceivedMail, name: string) => mail.parsed.headers.get(name);
const bare = (id: string | undefined) => id?.replace(/^<|>$/g, '');
const referencesOf = (mail: ReceivedMail): string[] => {
  const refs = mail.parsed.references;
  return refs === undefined ? [] : Array.isArray(refs) ? refs : [refs];
};

/** The desk's outbox is quiet: everything it owed so far went out (or failed, which the test would see). */
async function settled(ticketId: string) {
  await waitFor('the outbox settled', async () => {
    const rows = await m.desk.services.store.outbox.forTicket(ticketId);
    return rows.every((r) => r.status !== 'pending' && r.status !== 'sending');
  });
}

describe('a reply to an email requester', () => {
  const ALICE = 'alice.reply@client.example';
  const BOB = 'bob.watcher@client.example';

  it('goes out threaded on the ticket with the watcher in Cc, is recorded, and her answer resumes the pending ticket', async () => {
    const original = newMessageId();
    await m.deliver(
      mail({
        from: `Alice Martin <${ALICE}>`,
        cc: `Bob Lee <${BOB}>`,
        subject: 'Printer jams on floor 3',
        body: 'The printer on floor 3 jams on every page.',
        messageId: original,
      }),
    );
    const [row] = await waitFor('the ticket from Alice', async () => {
      const rows = await ticketsFrom(m.desk, ALICE);
      return rows.length > 0 && rows;
    });
    const number = row!.number;
    const tag = `[HD-${number}]`;

    const theo = await technician('Théo Girard', '+33611110001');
    await api().patch(`/api/tickets/${number}`).set(auth).send({ assigneeId: theo.id }).expect(200);
    await acceptTicket(m.desk.services.tickets, String(number), theo.id);
    // What the desk owed Alice so far (the acknowledgement, "a technician has your request") is out,
    // so that the reply's place in the thread is known.
    await settled(row!.id);
    const before = mailsTo(ALICE);
    const latest = before[before.length - 1];
    expect(latest).toBeDefined();

    const text = 'Hello Alice,\n\nI will come by at 2 pm with a new fuser unit.';
    const res = await api().post(`/api/tickets/${number}/replies`).set(bearer(theo.token)).send({ body: text });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ number, status: 'in_progress' });

    const copies = await waitFor('the reply to Alice and its copy to Bob', () => {
      const found = receiver.messages.filter((r) => r.parsed.text?.includes('2 pm'));
      return found.length >= 2 && found;
    });
    // What a mail client would send, Alice in To and Bob in Cc, so that a reply-all keeps them both in
    // the conversation; but a copy each (one outbox row, one bounce, one retry per person).
    expect(copies.map((r) => r.envelope.to).sort()).toEqual([[ALICE], [BOB]]);
    const reply = copies.find((r) => r.envelope.to[0] === ALICE)!;
    const bobs = copies.find((r) => r.envelope.to[0] === BOB)!;
    for (const copy of copies) {
      expect(copy.parsed.to && !Array.isArray(copy.parsed.to) ? copy.parsed.to.value.map((v) => v.address) : []).toEqual([ALICE]);
      expect(copy.parsed.cc && !Array.isArray(copy.parsed.cc) ? copy.parsed.cc.value.map((v) => v.address) : []).toEqual([BOB]);
      expect(copy.parsed.subject).toBe(`${tag} Re: Printer jams on floor 3`);
      expect(header(copy, 'auto-submitted')).toBeUndefined();
    }
    // Bob's copy answers the latest email of his own conversation.
    expect(bobs.parsed.inReplyTo).toBe(
      mailsTo(BOB)
        .filter((r) => r !== bobs)
        .pop()?.parsed.messageId,
    );
    expect(reply.parsed.subject).toBe(`${tag} Re: Printer jams on floor 3`);
    expect(reply.parsed.from?.value[0]?.address).toBe(`helpdesk@${DESK_DOMAIN}`);
    expect(reply.parsed.text).toContain('I will come by at 2 pm with a new fuser unit.');
    expect(reply.parsed.text).toContain('Théo Girard');
    // A person's message: nothing that marks it automatic (RFC 3834), so her mail client treats it as one.
    expect(header(reply, 'auto-submitted')).toBeUndefined();
    expect(header(reply, 'x-auto-response-suppress')).toBeUndefined();
    // Threaded: it answers the latest email of her conversation, and References starts at her first.
    expect(reply.parsed.inReplyTo).toBe(latest!.parsed.messageId);
    expect(referencesOf(reply)[0]).toBe(`<${original}>`);
    expect(referencesOf(reply)).toContain(latest!.parsed.messageId);

    // Recorded: the outbound message with its Message-ID, and the reply event by Théo.
    const after = await waitFor('the reply recorded as a message', async () => {
      const d = await detail(number);
      return d.messages.some((msg) => msg.direction === 'out' && msg.body.includes('2 pm')) && d;
    });
    const out = after.messages.filter((msg) => msg.direction === 'out' && msg.body.includes('2 pm'));
    expect(out.map((msg) => [msg.to, bare(msg.externalId)]).sort()).toEqual(
      [
        [ALICE, bare(reply.parsed.messageId)],
        [BOB, bare(bobs.parsed.messageId)],
      ].sort(),
    );
    expect(out[0]).toMatchObject({ channel: 'email', subject: `${tag} Re: Printer jams on floor 3` });
    expect(after.events.filter((e) => e.type === 'reply')).toEqual([
      { type: 'reply', actor: `technician:${theo.id}`, at: expect.any(String), data: { body: text.trim(), channel: 'email' } },
    ]);

    // Waiting on Alice; her answer to the reply lands on the ticket and puts it back to work.
    await api().patch(`/api/tickets/${number}`).set(bearer(theo.token)).send({ status: 'pending' }).expect(200);
    const answer = newMessageId();
    await m.deliver(
      mail({
        from: `Alice Martin <${ALICE}>`,
        subject: `Re: ${reply.parsed.subject}`,
        body: 'Perfect, I will be there.\n\nOn Monday, Helpdesk wrote:\n> I will come by at 2 pm',
        messageId: answer,
        inReplyTo: bare(reply.parsed.messageId),
        references: [original, bare(reply.parsed.messageId)!],
      }),
    );
    const resumed = await waitFor('the ticket back in progress', async () => {
      const d = await detail(number);
      return d.status === 'in_progress' && d;
    });
    const types = resumed.events.map((e) => e.type);
    const answered = types.lastIndexOf('requester_replied');
    expect(answered).toBeGreaterThan(types.lastIndexOf('reply'));
    expect(resumed.events[answered + 1]).toMatchObject({ type: 'status_changed', data: { from: 'pending', to: 'in_progress' } });
    expect(resumed.messages.find((msg) => bare(msg.externalId) === answer)).toMatchObject({
      direction: 'in',
      body: 'Perfect, I will be there.',
    });
  });
});

describe('a reply to a requester who texted', () => {
  const PHONE = '+33622220001';

  it('reaches their phone by SMS, and is the first response', async () => {
    const opened = await openTicket(m.desk.services.tickets, {
      channel: 'sms',
      subject: 'Wifi drops',
      description: 'The wifi drops every ten minutes.',
      requester: { phone: PHONE },
      message: { externalId: `SM${'1'.repeat(32)}`, sender: PHONE, recipient: HOTLINE, body: 'The wifi drops every ten minutes.' },
    });
    if (!opened.created) throw new Error('not created');
    const { number, id } = opened.ticket;
    expect((await detail(number)).sla.respondedAt).toBeNull();

    const res = await api().post(`/api/tickets/${number}/replies`).set(auth).send({ body: 'We are restarting the access point now.' });
    expect(res.status).toBe(201);
    // The coordinator's reply is the ticket's first response: the response clock stops.
    expect(res.body.sla.respondedAt).not.toBeNull();

    const sms = await waitFor('the SMS to the requester', () =>
      standIn.messages.find((msg) => msg.to === PHONE && msg.body.includes('restarting the access point')),
    );
    expect(sms.from).toBe(HOTLINE);
    expect(sms.body).toBe(`HD-${number}: We are restarting the access point now.\n- IT helpdesk`);
    expect(sms.statusCallback).toBe('https://desk.example/twilio/sms/status');
    await settled(id);
    const d = await detail(number);
    expect(d.messages.find((msg) => msg.externalId === sms.sid)).toMatchObject({ direction: 'out', channel: 'sms', to: PHONE });
    expect(d.events.find((e) => e.type === 'reply')).toMatchObject({ actor: 'coordinator', data: { channel: 'sms' } });
    // Nobody else's inbox: a texter's reply goes by SMS only.
    expect(receiver.messages.filter((r) => r.parsed.text?.includes('restarting the access point'))).toHaveLength(0);

    // Twilio takes 1,600 characters at most: a longer reply by SMS is refused before anything is written.
    const long = await api()
      .post(`/api/tickets/${number}/replies`)
      .set(auth)
      .send({ body: 'x'.repeat(1_501) });
    expect(long.status).toBe(422);
    expect(long.body.error.message).toMatch(/at most 1500 characters/);
  });
});

describe('who may reply, and with what', () => {
  it('refuses a technician on a ticket not assigned to them, and an empty reply, writing nothing', async () => {
    const owner = await technician('Owner Tech', '+33611110002');
    const other = await technician('Other Tech', '+33611110003');
    const created = await api()
      .post('/api/tickets')
      .set(auth)
      .send({ subject: 'Screen flickers', description: 'It flickers.', requester: { name: 'Zoé', email: 'zoe@client.example' } });
    expect(created.status).toBe(201);
    const number = created.body.number as number;
    await api().patch(`/api/tickets/${number}`).set(auth).send({ assigneeId: owner.id }).expect(200);
    const before = await detail(number);

    const forbidden = await api().post(`/api/tickets/${number}/replies`).set(bearer(other.token)).send({ body: 'Hi!' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');

    for (const body of ['', '   \n ']) {
      const empty = await api().post(`/api/tickets/${number}/replies`).set(bearer(owner.token)).send({ body });
      expect(empty.status).toBe(422);
      expect(empty.body.error.code).toBe('UNPROCESSABLE');
    }
    expect((await api().post(`/api/tickets/${number}/replies`).set(auth).send({})).status).toBe(400);

    const after = await detail(number);
    // The notifier's own events (what it sent meanwhile) aside, nothing was written.
    const changes = (d: Detail) => d.events.filter((e) => e.actor !== 'system:notify');
    expect(changes(after)).toEqual(changes(before));
    expect((await m.desk.services.store.outbox.forTicket(after.id)).filter((r) => r.kind === 'requester.reply')).toEqual([]);

    // Their own ticket: accepted.
    await api().post(`/api/tickets/${number}/replies`).set(bearer(owner.token)).send({ body: 'Which screen model?' }).expect(201);

    // A closed ticket takes none.
    await api().post(`/api/tickets/${number}/resolve`).set(auth).send({ resolution: 'Cable replaced.' }).expect(200);
    await api().post(`/api/tickets/${number}/close`).set(auth).send({}).expect(200);
    const closed = await api().post(`/api/tickets/${number}/replies`).set(auth).send({ body: 'Anything else?' });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('ILLEGAL_TRANSITION');
  });
});
