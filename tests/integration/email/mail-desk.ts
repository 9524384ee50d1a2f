import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { waitFor } from '../../support/wait.js';
import { fileURLToPath } from 'node:url';
import { QueryTypes } from 'sequelize';
import { inject } from 'vitest';
import { parseMailboxUrl } from '../../../src/config/mailbox-url.js';
import { startMailReaders } from '../../../src/intake/email/worker.js';
import type { EmailSettingsOverrides } from '../../../src/intake/email/settings.js';
import type { RoleContext, RoleStopper } from '../../../src/roles/types.js';
import { createTestDesk, type TestDesk } from '../../support/desk.js';
import { IMAP_PASSWORD, createUser, deliver } from '../../support/dovecot.js';
import { deleteKeys, uniquePrefix } from '../../support/redis.js';

/** Timers short enough for tests; the behaviour is the production one. */
export const FAST: EmailSettingsOverrides = {
  reconnect: { baseMs: 100, maxMs: 1_000 },
  lockRetryMs: 200,
};

export const DESK_DOMAIN = 'desk.example';
export const MAIL_FROM = `Helpdesk <helpdesk@${DESK_DOMAIN}>`;

export interface MailDesk {
  desk: TestDesk;
  user: string;
  imapUrl: string;
  mailRoot: string;
  deliver(raw: string | Buffer): Promise<string>;
  /** Waits until the mailbox's cursor is past every message delivered so far (all of them stored). */
  caughtUp(): Promise<void>;
  /** Starts one more reader (a second process, as far as the mailbox is concerned). */
  startReader(overrides?: EmailSettingsOverrides): Promise<{ ctx: RoleContext; stop: RoleStopper }>;
  close(): Promise<void>;
}

export async function createMailDesk(
  options: { query?: string; imap?: { host: string; port: number; mailRoot: string }; env?: Record<string, string> } = {},
): Promise<MailDesk> {
  const imap = options.imap ?? inject('imap');
  const user = await createUser(imap.mailRoot);
  const imapUrl = `imap://${user}:${IMAP_PASSWORD}@${imap.host}:${imap.port}/INBOX${options.query ?? ''}`;
  const desk = await createTestDesk({ IMAP_URL: imapUrl, MAIL_FROM, ...options.env });
  const stops: RoleStopper[] = [];
  // Routing jobs of this desk's new tickets go under a Redis prefix of its own (nobody consumes them here).
  const routingPrefix = uniquePrefix();
  const key = parseMailboxUrl(imapUrl).key;
  // Dovecot gives a fresh INBOX's messages UIDs 1, 2, 3… in the order they are delivered.
  let delivered = 0;
  return {
    desk,
    user,
    imapUrl,
    mailRoot: imap.mailRoot,
    async deliver(raw) {
      const name = await deliver(imap.mailRoot, user, raw);
      delivered++;
      return name;
    },
    async caughtUp() {
      const target = delivered;
      await waitFor(`the cursor at UID ${target}`, async () => ((await desk.services.store.mailboxes.get(key))?.lastUid ?? 0) >= target);
    },
    async startReader(overrides = {}) {
      const ctx: RoleContext = {
        config: desk.config,
        log: desk.log,
        services: desk.services,
        redisUrl: desk.redisUrl,
        redis: desk.redis,
        health: new Map(),
      };
      const stop = await startMailReaders(ctx, { settings: { ...FAST, ...overrides }, routingPrefix });
      let stopped = false;
      const once: RoleStopper = async () => {
        if (stopped) return;
        stopped = true;
        await stop();
      };
      stops.push(once);
      return { ctx, stop: once };
    },
    async close() {
      for (const stop of stops) await stop();
      await deleteKeys(desk.redisUrl, routingPrefix);
      await desk.close();
    },
  };
}

export interface MailOptions {
  from: string;
  to?: string;
  cc?: string;
  subject: string;
  body: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  headers?: Record<string, string>;
  /** Makes it multipart/mixed, the body its first part. */
  attachments?: { name: string; content: Buffer; type?: string }[];
}

/** A plain-text RFC 5322 message as a mail client would deliver it. */
export function mail(o: MailOptions): string {
  const id = o.messageId ?? newMessageId();
  const lines = [
    `Return-Path: <${/<([^>]+)>/.exec(o.from)?.[1] ?? o.from}>`,
    `From: ${o.from}`,
    `To: ${o.to ?? `Helpdesk <helpdesk@${DESK_DOMAIN}>`}`,
    ...(o.cc ? [`Cc: ${o.cc}`] : []),
    `Subject: ${o.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${id}>`,
    ...(o.inReplyTo ? [`In-Reply-To: <${o.inReplyTo}>`] : []),
    ...(o.references?.length ? [`References: ${o.references.map((r) => `<${r}>`).join(' ')}`] : []),
    ...Object.entries(o.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    ...(o.attachments?.length ? ['Content-Type: multipart/mixed; boundary="b1"', '', '--b1'] : []),
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    o.body,
    ...(o.attachments ?? []).flatMap((a) => [
      '--b1',
      `Content-Type: ${a.type ?? 'application/octet-stream'}; name="${a.name}"`,
      `Content-Disposition: attachment; filename="${a.name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      a.content.toString('base64'),
    ]),
    ...(o.attachments?.length ? ['--b1--'] : []),
    '',
  ];
  return lines.join('\r\n');
}

/** A database that refuses to store a ticket with this subject, as a broken constraint or a bug would. */
export async function refuseTicketsWithSubject(desk: TestDesk, subject: string): Promise<void> {
  await desk.sequelize.query(`
    CREATE FUNCTION refuse_subject() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.subject = ${desk.sequelize.escape(subject)} THEN RAISE EXCEPTION 'refused by the test'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER refuse_subject BEFORE INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION refuse_subject();`);
}

export function newMessageId(domain = 'client.example'): string {
  return `${randomUUID()}@${domain}`;
}

const FIXTURES = fileURLToPath(new URL('../../fixtures/email/', import.meta.url));

/** A fixture email with some of its strings replaced (Message-IDs, addresses), as delivered to us. */
export function fixture(name: string, replace: Record<string, string> = {}): string {
  let text = readFileSync(FIXTURES + name, 'utf8');
  for (const [from, to] of Object.entries(replace)) text = text.split(from).join(to);
  return text;
}

/** Records an outbound email on a ticket, as the notification worker does once it sent one. */
export async function recordOutbound(desk: TestDesk, ticketId: string, recipient: string): Promise<string> {
  const messageId = `${randomUUID()}@${DESK_DOMAIN}`;
  await desk.services.store.transaction((tx) =>
    tx.messages.record({
      ticketId,
      direction: 'out',
      channel: 'email',
      sender: `helpdesk@${DESK_DOMAIN}`,
      recipient,
      subject: 'acknowledgement',
      body: 'We received your request.',
      externalId: `<${messageId}>`,
      status: 'sent',
    }),
  );
  return messageId;
}

export interface TicketRow {
  id: string;
  number: number;
  status: string;
  subject: string;
  description: string;
  urgency: string;
  category: string | null;
  linked_ticket_id: string | null;
}

export async function ticketsFrom(desk: TestDesk, address: string): Promise<TicketRow[]> {
  return desk.sequelize.query<TicketRow>(
    `SELECT t.id, t.number, t.status, t.subject, t.description, t.urgency, t.category, t.linked_ticket_id
       FROM tickets t JOIN requesters r ON r.id = t.requester_id
      WHERE r.emails @> ARRAY[:address]::text[] ORDER BY t.number`,
    { replacements: { address }, type: QueryTypes.SELECT },
  );
}

export async function countRows(desk: TestDesk, sql: string, replacements: Record<string, unknown> = {}): Promise<number> {
  const [row] = await desk.sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, {
    replacements,
    type: QueryTypes.SELECT,
  });
  return row?.n ?? 0;
}
