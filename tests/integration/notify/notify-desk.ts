import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { expect } from 'vitest';
import { channelsFromConfig } from '../../../src/notify/channels-from-config.js';
import { startNotifier, type Notifier, type NotifierOptions } from '../../../src/notify/notifier.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';
import { deleteKeys, uniquePrefix } from '../../support/redis.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../support/twilio-standin.js';
import { FAST } from './fast.js';

/** A desk with the notification worker, a real SMTP receiver and the Twilio stand-in. */

export const HOTLINE = '+33100000000';
export const MAIL_FROM = 'Helpdesk <helpdesk@desk.example.org>';
export const PUBLIC_URL = 'https://desk.example.org';
export const auth = bearer(COORDINATOR_TOKEN);

export interface NotifyDesk {
  desk: TestDesk;
  standIn: TwilioStandIn;
  receiver: SmtpReceiver;
  prefix: string;
  env: Record<string, string>;
  /** The running notifier (start() replaces it). */
  notifier: Notifier | undefined;
  start(overrides?: Partial<NotifierOptions>): Promise<Notifier>;
  stopNotifier(): Promise<void>;
  close(): Promise<void>;
}

export async function createNotifyDesk(
  options: { smtp?: boolean; twilio?: boolean; env?: Record<string, string> } = {},
): Promise<NotifyDesk> {
  const standIn = await startTwilioStandIn();
  const receiver = await startSmtpReceiver();
  const env: Record<string, string> = {
    PUBLIC_URL,
    MAIL_FROM,
    HELPDESK_LANGUAGE: 'fr',
    ...(options.twilio === false
      ? {}
      : {
          TWILIO_ACCOUNT_SID: standIn.accountSid,
          TWILIO_AUTH_TOKEN: standIn.authToken,
          TWILIO_PHONE_NUMBER: HOTLINE,
          TWILIO_API_URL: standIn.url,
        }),
    ...(options.smtp === false ? {} : { SMTP_URL: receiver.url }),
    ...options.env,
  };
  const desk = await createTestDesk(env);
  const prefix = uniquePrefix();
  const self: NotifyDesk = {
    desk,
    standIn,
    receiver,
    prefix,
    env,
    notifier: undefined,
    async start(overrides = {}) {
      const channels = channelsFromConfig(desk.config);
      self.notifier = await startNotifier({
        store: desk.services.store,
        log: desk.log,
        redisUrl: desk.redisUrl,
        prefix,
        channels,
        timeZone: desk.config.timezone,
        ...FAST,
        ...overrides,
      });
      return self.notifier;
    },
    async stopNotifier() {
      await self.notifier?.stop();
      self.notifier = undefined;
    },
    async close() {
      await self.stopNotifier();
      await deleteKeys(desk.redisUrl, prefix);
      await desk.close();
      await standIn.stop();
      await receiver.stop();
    },
  };
  return self;
}

export interface OutboxView {
  id: number;
  kind: string;
  channel: string;
  recipient: string;
  status: string;
  attempts: number;
  externalId: string | null;
  errorCode: string | null;
}

export async function outboxRows(desk: TestDesk, ticketId?: string): Promise<OutboxView[]> {
  return desk.sequelize.query<OutboxView>(
    `SELECT id, kind, channel, recipient, status, attempts, external_id AS "externalId", error_code AS "errorCode"
       FROM outbox ${ticketId ? 'WHERE ticket_id = $ticketId' : ''} ORDER BY id`,
    { bind: ticketId ? { ticketId } : {}, type: QueryTypes.SELECT },
  );
}

export interface TicketView {
  id: string;
  number: number;
  status: string;
  events: { type: string; actor: string; data: Record<string, unknown> }[];
  messages: {
    direction: string;
    channel: string;
    from: string;
    to: string;
    subject?: string;
    body: string;
    externalId: string;
    status?: string;
  }[];
}

export async function ticketDetail(desk: TestDesk, key: string | number): Promise<TicketView> {
  const res = await request(desk.app).get(`/api/tickets/${key}`).set(auth);
  expect(res.status).toBe(200);
  return res.body as TicketView;
}

export async function createTechnician(desk: TestDesk, body: Record<string, unknown>): Promise<{ id: string; token: string }> {
  const res = await request(desk.app)
    .post('/api/technicians')
    .set(auth)
    .send({ tier: 1, skills: ['printing', 'network'], ...body });
  expect(res.status).toBe(201);
  return res.body as { id: string; token: string };
}

/** Every outbox row of the desk is settled (sent, failed or superseded). */
export async function allSettled(desk: TestDesk): Promise<boolean> {
  const rows = await outboxRows(desk);
  return rows.length > 0 && rows.every((r) => r.status === 'sent' || r.status === 'failed' || r.status === 'superseded');
}
