import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { expect } from 'vitest';
import type { Ticket, TicketDetail } from '../../../src/domain/ticket.js';
import { signRequest } from '../../../src/intake/twilio/signature.js';
import type { RoleContext } from '../../../src/roles/types.js';
import { startRoutingWorker } from '../../../src/routing/worker.js';
import { openRequest, type RequestInput } from '../../../src/tickets/requests.js';
import { deleteKeys, uniquePrefix } from '../../support/redis.js';
import { auth, createNotifyDesk, PUBLIC_URL, type NotifyDesk } from '../notify/notify-desk.js';

/**
 * A desk for the approvers' channels (#17): the notifier sending to a real SMTP receiver and the
 * Twilio stand-in, the coordinator's address set, and on demand the routing worker.
 */

export const COORDINATOR = 'coordinator@desk.example.org';
export { auth, PUBLIC_URL };

export interface ApprovalDesk extends NotifyDesk {
  startRouting(): Promise<void>;
  /** The desk's role context, for a worker a test starts itself. */
  roleContext(): RoleContext;
}

export async function createApprovalDesk(env: Record<string, string> = {}): Promise<ApprovalDesk> {
  const nd = await createNotifyDesk({ env: { HELPDESK_COORDINATOR_EMAIL: COORDINATOR, HELPDESK_LANGUAGE: 'en', ...env } });
  const routingPrefix = uniquePrefix();
  const stops: (() => Promise<void>)[] = [];
  const roleContext = (): RoleContext => ({
    config: nd.desk.config,
    log: nd.desk.log,
    services: nd.desk.services,
    redisUrl: nd.desk.redisUrl,
    redis: nd.desk.redis,
    health: new Map(),
  });
  const close = nd.close.bind(nd);
  return Object.assign(nd, {
    roleContext,
    async startRouting() {
      stops.push(nd.desk.services.routing.connect(nd.desk.redisUrl, routingPrefix));
      stops.push(await startRoutingWorker(roleContext(), { prefix: routingPrefix, planEveryMs: 600_000 }));
    },
    async close() {
      for (const stop of stops.reverse()) await stop();
      await deleteKeys(nd.desk.redisUrl, routingPrefix);
      await close();
    },
  });
}

/** A catalog item through the API, as a coordinator writes one. */
export async function createItem(ad: ApprovalDesk, item: Record<string, unknown>): Promise<void> {
  const res = await request(ad.desk.app).post('/api/catalog').set(auth).send(item);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

export function open(ad: ApprovalDesk, input: Partial<RequestInput> & Pick<RequestInput, 'itemId' | 'fields'>): Promise<Ticket> {
  return openRequest(ad.desk.services.tickets, {
    channel: 'web',
    requester: { name: 'Alice Martin', email: 'alice@example.com' },
    ...input,
  });
}

export async function detailOf(ad: ApprovalDesk, number: number): Promise<TicketDetail> {
  const res = await request(ad.desk.app).get(`/api/tickets/${number}`).set(auth);
  expect(res.status).toBe(200);
  return res.body as TicketDetail;
}

/** What a person would notice changed: the ticket's status and its events but the notifier's own. */
export async function changesOf(ad: ApprovalDesk, number: number): Promise<{ status: string; events: string[] }> {
  const t = await detailOf(ad, number);
  return { status: t.status, events: t.events.filter((e) => e.type !== 'notified').map((e) => `${e.type}:${e.actor}`) };
}

export async function ticketCount(ad: ApprovalDesk): Promise<number> {
  const [row] = await ad.desk.sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM tickets`, { type: QueryTypes.SELECT });
  return row?.n ?? 0;
}

export async function outboxKinds(ad: ApprovalDesk, ticketId: string): Promise<{ kind: string; channel: string; recipient: string }[]> {
  return ad.desk.sequelize.query(`SELECT kind, channel, recipient FROM outbox WHERE ticket_id = $ticketId ORDER BY id`, {
    bind: { ticketId },
    type: QueryTypes.SELECT,
  });
}

const CODE = new RegExp(`${PUBLIC_URL}/approvals/([A-Za-z0-9_-]{43})`, 'g');
export const approvalCodesIn = (text: string): string[] => [...new Set([...text.matchAll(CODE)].map((m) => m[1] ?? ''))];

/** A text to the hotline, signed as Twilio signs it; the TwiML reply's text, or '' for none. */
export async function textDesk(ad: ApprovalDesk, from: string, body: string, sid: string): Promise<string> {
  const params = { MessageSid: sid, From: from, To: '+33100000000', Body: body };
  const signature = signRequest(ad.standIn.authToken, `${PUBLIC_URL}/twilio/sms`, params);
  const res = await request(ad.desk.app).post('/twilio/sms').type('form').set('X-Twilio-Signature', signature).send(params);
  expect(res.status, res.text).toBe(200);
  const xml = /<Message>([\s\S]*)<\/Message>/.exec(res.text)?.[1] ?? '';
  return xml.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&apos;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&');
}
