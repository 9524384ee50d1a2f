import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { expect } from 'vitest';
import { signRequest } from '../../../src/intake/twilio/signature.js';
import { MESSAGING_TWIML, VOICE_TWIML } from '../../support/twiml-vocabulary.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';
import { parseTwiml, twimlProblems, type TwimlNode } from '../../unit/twilio/twiml.js';

export const PUBLIC_URL = 'https://desk.example.com';
export const AUTH_TOKEN = 'twilio-test-auth-token';
export const HOTLINE = '+33100000000';
export const auth = bearer(COORDINATOR_TOKEN);

/** Telephony on, signed against PUBLIC_URL like a desk behind its public name. */
export function twilioDesk(env: Record<string, string> = {}): Promise<TestDesk> {
  return createTestDesk({
    PUBLIC_URL,
    TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_PHONE_NUMBER: HOTLINE,
    ...env,
  });
}

export interface Answer {
  status: number;
  xml: string;
  doc: TwimlNode;
}

/**
 * Posts a webhook the way Twilio does: form-encoded, signed over PUBLIC_URL + path (query included)
 * + the parameters. Every answer must be TwiML that Twilio documents.
 */
export async function post(desk: TestDesk, path: string, params: Record<string, string>): Promise<Answer> {
  const signature = signRequest(AUTH_TOKEN, PUBLIC_URL + path, params);
  const res = await request(desk.app).post(path).type('form').set('X-Twilio-Signature', signature).send(params);
  expect(res.status, res.text).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/xml/);
  const vocabulary = path.startsWith('/twilio/sms') ? MESSAGING_TWIML : VOICE_TWIML;
  expect(twimlProblems(res.text, vocabulary)).toEqual([]);
  return { status: res.status, xml: res.text, doc: parseTwiml(res.text) };
}

export interface TicketView {
  id: string;
  number: number;
  status: string;
  channel: string;
  tier: number;
  urgency: string;
  subject: string;
  description: string;
  resolution: string | null;
  requester: { id: string; name: string | null; phone: string | null };
  assignee: { id: string; name: string } | null;
  events: { type: string; actor: string; data: Record<string, unknown> }[];
  messages: { direction: string; channel: string; from: string | null; body: string; externalId: string; status?: string }[];
}

export async function ticket(desk: TestDesk, number: number | string): Promise<TicketView> {
  const res = await request(desk.app).get(`/api/tickets/${number}`).set(auth);
  expect(res.status).toBe(200);
  return res.body as TicketView;
}

export async function ticketsOn(desk: TestDesk, channel: string): Promise<TicketView[]> {
  const res = await request(desk.app).get(`/api/tickets?channel=${channel}&limit=100`).set(auth);
  expect(res.status).toBe(200);
  return res.body.items as TicketView[];
}

export async function countTickets(desk: TestDesk): Promise<number> {
  const res = await request(desk.app).get('/api/tickets?limit=1').set(auth);
  return res.body.total as number;
}

export async function outboxOf(desk: TestDesk, ticketId: string) {
  return desk.services.store.outbox.forTicket(ticketId);
}

export async function attachmentsOf(desk: TestDesk, ticketId: string) {
  return desk.sequelize.query<{ url: string | null; contentType: string }>(
    'SELECT url, content_type AS "contentType" FROM attachments WHERE ticket_id = $ticketId',
    { bind: { ticketId }, type: QueryTypes.SELECT },
  );
}

export async function addTechnician(
  desk: TestDesk,
  body: { name: string; phone: string; tier?: number; onCall?: boolean; language?: 'fr' | 'en' },
): Promise<{ id: string }> {
  const res = await request(desk.app)
    .post('/api/technicians')
    .set(auth)
    .send({ tier: 1, ...body });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
}

export async function openWebTicket(
  desk: TestDesk,
  requester: { name?: string; phone?: string; email?: string },
  subject = 'Printer jams',
) {
  const res = await request(desk.app)
    .post('/api/tickets')
    .set(auth)
    .send({ subject, description: 'The printer on floor 2 jams on every page', requester });
  expect(res.status, res.text).toBe(201);
  return res.body as TicketView;
}

export async function assign(desk: TestDesk, number: number, technicianId: string): Promise<void> {
  const res = await request(desk.app).patch(`/api/tickets/${number}`).set(auth).send({ assigneeId: technicianId });
  expect(res.status, res.text).toBe(200);
}

export async function knownRequester(desk: TestDesk, contact: { name: string; phone: string; language?: 'fr' | 'en' }) {
  const { store } = desk.services;
  return store.transaction((tx) => tx.requesters.findOrCreate(contact));
}
