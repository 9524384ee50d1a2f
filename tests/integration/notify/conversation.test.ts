import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSurveyTicket, recordSatisfaction } from '../../../src/tickets/satisfaction.js';
import { acceptTicket } from '../../../src/tickets/actions.js';
import { openTicket } from '../../../src/tickets/open-ticket.js';
import type { ReceivedMail } from '../../support/smtp-receiver.js';
import {
  auth,
  createNotifyDesk,
  createTechnician,
  HOTLINE,
  MAIL_FROM,
  outboxRows,
  PUBLIC_URL,
  ticketDetail,
  type NotifyDesk,
} from './notify-desk.js';
import { waitFor } from '../../support/wait.js';

/**
 * Issue 6, "done when": the whole conversation of a ticket, from creation to the survey answer,
 * through the real SMTP receiver and the Twilio stand-in, for an emailer and for a caller.
 */

let nd: NotifyDesk;

beforeAll(async () => {
  nd = await createNotifyDesk();
  await nd.start();
});
afterAll(async () => {
  await nd?.close();
});

const headerOf = (mail: ReceivedMail, name: string) => {
  const value = mail.parsed.headers.get(name.toLowerCase());
  return typeof value === 'string' ? value : undefined;
};
const referencesOf = (mail: ReceivedMail): string[] => {
  const refs = mail.parsed.references;
  return refs === undefined ? [] : Array.isArray(refs) ? refs : [refs];
};
const mailsTo = (address: string) => nd.receiver.messages.filter((m) => m.envelope.to.includes(address));
const smsTo = (phone: string) => nd.standIn.messages.filter((m) => m.to === phone);

async function nextMailTo(address: string, count: number): Promise<ReceivedMail> {
  const mails = await waitFor(`${count} emails to ${address}`, () => (mailsTo(address).length >= count ? mailsTo(address) : null));
  return mails[count - 1]!;
}

async function nextSmsTo(phone: string, count: number) {
  const texts = await waitFor(`${count} SMS to ${phone}`, () => (smsTo(phone).length >= count ? smsTo(phone) : null));
  return texts[count - 1]!;
}

describe('an email requester, from the acknowledgement to the survey answer', () => {
  const ALICE = 'alice@example.com';
  const BOB = 'bob@example.com';
  const ORIGINAL = '<CAF1.original-4711@mail.example.com>';
  const THEO_PHONE = '+33611111111';

  it('threads every email, in English for Alice, while the technician is texted in French', async () => {
    const theo = await createTechnician(nd.desk, { name: 'Théo', phone: THEO_PHONE, language: 'fr' });
    const opened = await openTicket(nd.desk.services.tickets, {
      channel: 'email',
      subject: 'Printer jams on floor 3',
      description: 'The printer on floor 3 jams on every page.\nTried turning it off and on.',
      requester: { name: 'Alice Martin', email: ALICE, language: 'en' },
      watchers: [{ email: BOB }, { email: 'no-reply@example.com' }],
      message: {
        externalId: ORIGINAL,
        sender: ALICE,
        recipient: 'helpdesk@desk.example.org',
        subject: 'Printer jams on floor 3',
        body: 'The printer…',
      },
    });
    expect(opened.created).toBe(true);
    if (!opened.created) return;
    const { number, id } = opened.ticket;
    const tag = `[HD-${number}]`;

    // Created: the acknowledgement answers Alice's email; Bob (CC) hears too; no-reply@ never.
    const ack = await nextMailTo(ALICE, 1);
    expect(ack.parsed.subject).toBe(`${tag} Request received: Printer jams on floor 3`);
    expect(ack.parsed.from?.value[0]?.address).toBe('helpdesk@desk.example.org');
    expect(headerOf(ack, 'auto-submitted')).toBe('auto-replied');
    expect(ack.parsed.inReplyTo).toBe(ORIGINAL);
    expect(referencesOf(ack)).toEqual([ORIGINAL]);
    expect(ack.parsed.text).toContain(`Its number is HD-${number}`);
    expect(ack.parsed.html).toContain('<html lang="en">');
    // Delivered on the commit's NOTIFY, not on the safety-net scan.
    expect(nd.notifier?.health().listening).toBe(true);
    const bobAck = await nextMailTo(BOB, 1);
    expect(bobAck.parsed.subject).toBe(ack.parsed.subject);
    expect(bobAck.parsed.inReplyTo).toBe(ORIGINAL);

    // Offered to Théo: an SMS in his language, from the hotline number, with the status callback.
    await request(nd.desk.app).patch(`/api/tickets/${number}`).set(auth).send({ assigneeId: theo.id }).expect(200);
    const offer = await nextSmsTo(THEO_PHONE, 1);
    expect(offer.from).toBe(HOTLINE);
    expect(offer.statusCallback).toBe(`${PUBLIC_URL}/twilio/sms/status`);
    expect(offer.body).toContain(`HD-${number} P`);
    expect(offer.body).toContain('impression');
    expect(offer.body).toContain('The printer on floor 3 jams on every page.');
    expect(offer.body).toContain(`Répondez ACCEPT ${number} / DECLINE ${number}`);

    // Accepted: "a technician has your request", a reply to Alice's previous email from us.
    await acceptTicket(nd.desk.services.tickets, String(number), theo.id);
    const assigned = await nextMailTo(ALICE, 2);
    expect(assigned.parsed.subject).toBe(`${tag} A technician has your request`);
    expect(assigned.parsed.text).toContain('Théo, one of our technicians, has taken your request');
    expect(headerOf(assigned, 'auto-submitted')).toBe('auto-generated');
    expect(assigned.parsed.inReplyTo).toBe(ack.parsed.messageId);
    expect(referencesOf(assigned)).toEqual([ORIGINAL, ack.parsed.messageId]);
    const bobAssigned = await nextMailTo(BOB, 2);
    expect(bobAssigned.parsed.inReplyTo).toBe(bobAck.parsed.messageId);

    // Waiting on the requester.
    await request(nd.desk.app).patch(`/api/tickets/${number}`).set(auth).send({ status: 'pending' }).expect(200);
    const pending = await nextMailTo(ALICE, 3);
    expect(pending.parsed.subject).toBe(`${tag} Waiting for your reply`);
    expect(referencesOf(pending)).toEqual([ORIGINAL, ack.parsed.messageId, assigned.parsed.messageId]);

    // Resolved, with the note and how to reopen.
    await request(nd.desk.app)
      .post(`/api/tickets/${number}/resolve`)
      .set(auth)
      .send({ resolution: 'Replaced the fuser unit.' })
      .expect(200);
    const resolved = await nextMailTo(ALICE, 4);
    expect(resolved.parsed.subject).toBe(`${tag} Request resolved: Printer jams on floor 3`);
    expect(resolved.parsed.text).toContain('> Replaced the fuser unit.');
    expect(resolved.parsed.text).toContain('simply reply to this email and the request will be reopened');

    // Closed: the survey goes to Alice only.
    await request(nd.desk.app).post(`/api/tickets/${number}/close`).set(auth).expect(200);
    const closed = await nextMailTo(ALICE, 5);
    expect(closed.parsed.subject).toBe(`${tag} Request closed: one question for you`);
    expect(closed.parsed.text).toContain('from 1 (not at all satisfied) to 5 (very satisfied)');
    await waitFor('every row sent', async () => (await outboxRows(nd.desk, id)).every((r) => r.status === 'sent'));
    expect(mailsTo(BOB)).toHaveLength(4);
    expect(nd.receiver.messages.filter((m) => m.envelope.to.some((a) => a.startsWith('no-reply')))).toHaveLength(0);

    // The answer: a bare "4" from Alice's address rates this ticket.
    const survey = await findSurveyTicket(nd.desk.services.store, { email: 'Alice@Example.com' });
    expect(survey?.number).toBe(number);
    await recordSatisfaction(nd.desk.services.tickets, id, 4, 'email');
    expect(await findSurveyTicket(nd.desk.services.store, { email: ALICE })).toBeNull();

    // The ticket's history: every email recorded with the Message-ID it went out with, one
    // `notified` event per message, and no address or text in any event.
    const detail = await ticketDetail(nd.desk, number);
    const outMail = detail.messages.filter((m) => m.direction === 'out' && m.channel === 'email');
    expect(outMail.map((m) => m.externalId).sort()).toEqual(
      [...mailsTo(ALICE), ...mailsTo(BOB)].map((m) => m.parsed.messageId?.replace(/^<|>$/g, '')).sort(),
    );
    expect(outMail.every((m) => m.from === MAIL_FROM && m.subject?.startsWith(tag))).toBe(true);
    const notified = detail.events.filter((e) => e.type === 'notified');
    expect(notified).toHaveLength(5 + 4 + 1); // Alice, Bob (no survey), Théo's offer
    expect(notified.map((e) => e.data.kind)).toContain('technician.offer');
    expect(detail.events.at(-1)).toMatchObject({ type: 'satisfaction', data: { score: 4, via: 'email' } });
    const eventText = JSON.stringify(detail.events);
    for (const secret of [ALICE, BOB, THEO_PHONE]) expect(eventText).not.toContain(secret);
  });
});

describe('a caller, by SMS from the acknowledgement to the survey answer', () => {
  const CALLER = '+33622222222';
  const EMMA_PHONE = '+33633333333';

  it('texts the caller in the desk language, with the known outage, and records a 5 from the reply', async () => {
    const emma = await createTechnician(nd.desk, { name: 'Emma', phone: EMMA_PHONE, language: 'en' });
    await request(nd.desk.app)
      .post('/api/outages')
      .set(auth)
      .send({ title: 'VPN en panne', message: 'Le VPN est coupé depuis 9h.' })
      .expect(201);
    const opened = await openTicket(nd.desk.services.tickets, {
      channel: 'voice',
      subject: 'VPN ne se connecte plus',
      description: 'Le VPN refuse la connexion depuis ce matin.',
      requester: { phone: CALLER },
      message: { externalId: 'CA0123456789abcdef0123456789abcdef', sender: CALLER, recipient: HOTLINE, body: 'transcription' },
      category: 'network',
    });
    if (!opened.created) throw new Error('not created');
    const { number, id } = opened.ticket;

    const ack = await nextSmsTo(CALLER, 1);
    expect(ack.body).toBe(`Demande HD-${number} enregistrée. Incident en cours : VPN en panne. Répondez à ce SMS pour la compléter.`);
    expect(ack.from).toBe(HOTLINE);

    await request(nd.desk.app).patch(`/api/tickets/${number}`).set(auth).send({ assigneeId: emma.id }).expect(200);
    const offer = await nextSmsTo(EMMA_PHONE, 1);
    expect(offer.body).toContain(`HD-${number}`);
    expect(offer.body).toContain('network');
    expect(offer.body).toContain(`Reply ACCEPT ${number} / DECLINE ${number}`);

    await acceptTicket(nd.desk.services.tickets, String(number), emma.id);
    expect((await nextSmsTo(CALLER, 2)).body).toBe(`HD-${number} : un technicien a pris en charge votre demande.`);

    await request(nd.desk.app)
      .post(`/api/tickets/${number}/resolve`)
      .set(auth)
      .send({ resolution: 'Certificat VPN renouvelé.' })
      .expect(200);
    const resolved = await nextSmsTo(CALLER, 3);
    expect(resolved.body).toBe(`HD-${number} résolue : Certificat VPN renouvelé.\nPas réglé ? Répondez REOPEN.`);

    await request(nd.desk.app).post(`/api/tickets/${number}/close`).set(auth).expect(200);
    const closed = await nextSmsTo(CALLER, 4);
    expect(closed.body).toContain('Répondez par un chiffre de 1 (pas du tout) à 5 (très satisfait)');
    expect(nd.receiver.messages.filter((m) => m.envelope.to.includes(CALLER))).toHaveLength(0);

    const survey = await findSurveyTicket(nd.desk.services.store, { phone: CALLER });
    expect(survey?.id).toBe(id);
    await recordSatisfaction(nd.desk.services.tickets, id, 5, 'sms');

    await waitFor('every row sent', async () => (await outboxRows(nd.desk, id)).every((r) => r.status === 'sent'));
    const detail = await ticketDetail(nd.desk, number);
    const outSms = detail.messages.filter((m) => m.direction === 'out' && m.channel === 'sms');
    expect(outSms.map((m) => m.externalId).sort()).toEqual([...smsTo(CALLER), ...smsTo(EMMA_PHONE)].map((m) => m.sid).sort());
    expect(outSms.every((m) => m.from === HOTLINE && m.status === 'queued')).toBe(true);
    expect(detail.events.filter((e) => e.type === 'notified')).toHaveLength(5);
    expect(detail.events.at(-1)).toMatchObject({ type: 'satisfaction', data: { score: 5, via: 'sms' } });
    expect((await nd.desk.services.store.tickets.get(id))?.status).toBe('closed');
  });
});
