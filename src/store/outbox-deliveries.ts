import type { Language } from '../domain/values.js';
import { rows, run, type Db } from './handle.js';
import { jsonb } from './jsonb.js';

/**
 * The outbox rows as the delivery side reads and moves them. Rows are INSERTED in one place only,
 * `insertOutboxRows` in outbox-repository.ts (the ticket writer's step and the outbox repository's
 * `add`); everything that happens to a row after that (claim, lease, send marker, sent, retry,
 * failed, superseded, dead-lettered, requeued by a coordinator) is a method of this repository and
 * of no other code. Every move is one conditional UPDATE that names the attempt it belongs to
 * (`attempts = $attempt`), so a late worker, a duplicate job or a stalled one finds nothing to
 * update instead of acting twice.
 *
 *   pending ──claim──▶ sending ──finish──▶ sent ──failDelivered (carrier)──▶ failed
 *      ▲                  │  ├──fail────▶ failed ──requeue (coordinator)──▶ pending
 *      └────retry─────────┘  └──supersede─▶ superseded (what it said stopped being true)
 *
 * A `sending` row whose lease (`next_attempt_at`) ran out belongs to a worker that died: its holder
 * renews the lease while it works (notify/lease.ts), so a lease runs out only when nobody is
 * renewing it. The row is then due again, and the next claim reconciles it (see notify/deliver.ts).
 */

export type OutboxChannel = 'sms' | 'email';

/** The message as first rendered; retries send exactly this. */
export interface RenderedContent {
  sms?: string;
  email?: {
    subject: string;
    text: string;
    html: string;
    messageId: string;
    inReplyTo?: string;
    references: string[];
    /** The header's To and Cc when they show more than the row's recipient (a person's reply, its watchers in Cc). */
    to?: string[];
    cc?: string[];
    /** Absent on a message a person wrote. */
    autoSubmitted?: 'auto-replied' | 'auto-generated';
  };
}

export interface OutboxItem {
  id: number;
  ticketId: string | null;
  kind: string;
  channel: OutboxChannel;
  recipient: string;
  language: Language;
  payload: Record<string, unknown>;
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'superseded';
  attempts: number;
  externalId: string | null;
  sendStartedAt: Date | null;
  rendered: RenderedContent | null;
  forced: boolean;
  createdAt: Date;
}

export interface DueRow {
  id: number;
  attempts: number;
  channel: OutboxChannel;
  kind: string;
  priority: string | null;
}

/** What finish() records of a delivered message. */
export interface SentRecord {
  externalId: string;
  /** Our delivery vocabulary: `sent` for email, Twilio's first status (`queued`) for SMS. */
  status: string;
  /** MAIL_FROM or the Twilio number. */
  sender: string;
  subject: string | null;
  body: string;
  /** Found at the vendor after a lost outcome, rather than sent now. */
  reconciled: boolean;
}

/** What the offer check (notify/offer-currency.ts) is told of an offer or reminder row, read at sending time. */
export interface OfferRowFacts {
  /** The ticket as it stands. */
  ticket: { status: string; assigneeId: string | null; offeredAt: number | null };
  /** The row's cause (payload.causeId), when it is an event of the ticket. */
  cause: { id: string; type: string; technicianId: string | null; offeredAt: number | null } | null;
  /** The ticket's latest `assigned` or `offer_renewed` event: the offer that stands. */
  latestOfferId: string | null;
  /** The first of `moves` after the cause. */
  movedBy: string | null;
  /** When the text of the offer that stands went out to the row's recipient. */
  offerSentAt: Date | null;
  /** That text is still owed to the row's recipient (pending or being sent). */
  offerOwed: boolean;
}

export interface RequeuedRow {
  id: number;
  ticketId: string | null;
  kind: string;
  channel: OutboxChannel;
}

/** The actor of the events the delivery side writes. */
const ACTOR = 'system:notify';

const ITEM_COLUMNS = `id, ticket_id AS "ticketId", kind, channel, recipient, language, payload, status, attempts,
  external_id AS "externalId", send_started_at AS "sendStartedAt", rendered, forced, created_at AS "createdAt"`;

const CAUSE_ID = /^\d{1,18}$/;

export function createOutboxDeliveries(db: Db) {
  return {
    /**
     * Due rows of the channels this process can send, pending ones and lapsed leases, by id after
     * `afterId` (a scan pages through all of them once, however many wait behind the SMS limiter),
     * and when `since` is given only rows written since then.
     */
    async due(channels: readonly OutboxChannel[], limit: number, afterId = 0, since?: Date): Promise<DueRow[]> {
      if (channels.length === 0) return [];
      return rows<DueRow>(
        db,
        `SELECT id, attempts, channel, kind, payload->>'priority' AS priority FROM outbox
          WHERE status IN ('pending', 'sending') AND next_attempt_at <= now() AND channel = ANY(CAST($channels AS text[]))
            AND id > $afterId ${since ? 'AND created_at >= $since' : ''}
          ORDER BY id LIMIT $limit`,
        { channels, limit, afterId, ...(since ? { since } : {}) },
      );
    },

    /** Pending rows of one channel; the worker warns about them when that channel is off. */
    async countPending(channel: OutboxChannel): Promise<number> {
      const [row] = await rows<{ n: number }>(db, `SELECT count(*)::int AS n FROM outbox WHERE status = 'pending' AND channel = $channel`, {
        channel,
      });
      return row?.n ?? 0;
    },

    /**
     * Takes attempt `attempt` of a row for `leaseMs`: the row moves to `sending` and its attempt
     * count up by one. Null when the row is not due, not at that attempt, or already done.
     * Due means up to a second early, so that a job whose delay ran on a slightly fast clock counts.
     */
    async claim(id: number, attempt: number, leaseMs: number): Promise<OutboxItem | null> {
      const [row] = await rows<OutboxItem>(
        db,
        `UPDATE outbox SET status = 'sending', attempts = attempts + 1,
                next_attempt_at = now() + make_interval(secs => $leaseSeconds)
          WHERE id = $id AND attempts = $attempt AND status IN ('pending', 'sending')
            AND next_attempt_at <= now() + interval '1 second'
          RETURNING ${ITEM_COLUMNS}`,
        { id, attempt, leaseSeconds: leaseMs / 1000 },
      );
      return row ?? null;
    },

    /**
     * The holder's heartbeat: the claim of attempt `attempt` lasts `leaseMs` from now. False when
     * the claim is no longer this holder's (it lapsed and another worker took the row, or it is done).
     */
    async renew(id: number, attempt: number, leaseMs: number): Promise<boolean> {
      const renewed = await rows<{ id: number }>(
        db,
        `UPDATE outbox SET next_attempt_at = now() + make_interval(secs => $leaseSeconds)
          WHERE id = $id AND attempts = $attempt AND status = 'sending' RETURNING id`,
        { id, attempt, leaseSeconds: leaseMs / 1000 },
      );
      return renewed.length > 0;
    },

    /**
     * What notify/offer-currency.ts needs to judge an offer or reminder row now: the ticket as it
     * stands, the row's cause, the offer that stands, the first of `moves` (the events that end an
     * offer) after the cause, and whether and when the standing offer's text went out to the same
     * recipient. Null for a row without a ticket.
     */
    async offerFacts(row: Pick<OutboxItem, 'ticketId' | 'recipient' | 'payload'>, moves: readonly string[]): Promise<OfferRowFacts | null> {
      if (!row.ticketId) return null;
      const causeId = typeof row.payload.causeId === 'string' && CAUSE_ID.test(row.payload.causeId) ? row.payload.causeId : null;
      const [facts] = await rows<{
        status: string;
        assigneeId: string | null;
        offeredAt: string | null;
        causeId: string | null;
        causeType: string | null;
        causeTechnicianId: string | null;
        causeOfferedAt: string | null;
        latestOfferId: string | null;
        movedBy: string | null;
        offerSentAt: Date | null;
        offerOwed: boolean;
      }>(
        db,
        `WITH t AS (SELECT id, status, assignee_id, offered_at FROM tickets WHERE id = $ticketId),
              cause AS (SELECT id, type, data FROM ticket_events WHERE id = CAST($causeId AS bigint) AND ticket_id = $ticketId),
              latest AS (SELECT max(id) AS id FROM ticket_events WHERE ticket_id = $ticketId AND type IN ('assigned', 'offer_renewed'))
         SELECT t.status, t.assignee_id AS "assigneeId",
                (floor(extract(epoch FROM t.offered_at) * 1000))::bigint::text AS "offeredAt",
                cause.id::text AS "causeId", cause.type AS "causeType", cause.data->>'technicianId' AS "causeTechnicianId",
                cause.data->>'offeredAt' AS "causeOfferedAt", latest.id::text AS "latestOfferId",
                (SELECT e.type FROM ticket_events e WHERE e.ticket_id = $ticketId AND e.id > cause.id
                    AND e.type = ANY(CAST($moves AS text[]))
                  ORDER BY e.id LIMIT 1) AS "movedBy",
                (SELECT min(o.sent_at) FROM outbox o WHERE o.ticket_id = $ticketId AND o.kind = 'technician.offer'
                    AND o.recipient = $recipient AND o.status = 'sent' AND o.payload->>'causeId' = latest.id::text) AS "offerSentAt",
                EXISTS (SELECT 1 FROM outbox o WHERE o.ticket_id = $ticketId AND o.kind = 'technician.offer'
                    AND o.recipient = $recipient AND o.status IN ('pending', 'sending') AND o.payload->>'causeId' = latest.id::text) AS "offerOwed"
           FROM t CROSS JOIN latest LEFT JOIN cause ON true`,
        { ticketId: row.ticketId, causeId, recipient: row.recipient, moves },
      );
      if (!facts) return null;
      const epoch = (v: string | null) => (v !== null && /^\d+$/.test(v) ? Number(v) : null);
      return {
        cause:
          facts.causeId && facts.causeType
            ? { id: facts.causeId, type: facts.causeType, technicianId: facts.causeTechnicianId, offeredAt: epoch(facts.causeOfferedAt) }
            : null,
        ticket: { status: facts.status, assigneeId: facts.assigneeId, offeredAt: epoch(facts.offeredAt) },
        latestOfferId: facts.latestOfferId,
        movedBy: facts.movedBy,
        offerSentAt: facts.offerSentAt,
        offerOwed: facts.offerOwed,
      };
    },

    /**
     * Sets a claimed row aside, unsent, because what it announced is no longer true: `superseded`
     * with why, and a `notification_superseded` event on the ticket (kind, channel, code).
     */
    async supersede(id: number, attempt: number, why: { code: string; reason: string }): Promise<boolean> {
      const [row] = await rows<{ done: number }>(
        db,
        `WITH done AS (
           UPDATE outbox SET status = 'superseded', failed_at = now(), last_error = $reason, error_code = $code,
                  send_started_at = NULL
            WHERE id = $id AND attempts = $attempt AND status = 'sending'
            RETURNING id, ticket_id, kind, channel
         ), event AS (
           INSERT INTO ticket_events (ticket_id, type, actor, data)
           SELECT ticket_id, 'notification_superseded', $actor,
                  jsonb_build_object('kind', kind, 'channel', channel, 'outboxId', id, 'code', CAST($code AS text), 'reason', CAST($reason AS text))
             FROM done WHERE ticket_id IS NOT NULL
         )
         SELECT count(*)::int AS done FROM done`,
        { id, attempt, code: why.code, reason: why.reason, actor: ACTOR },
      );
      return (row?.done ?? 0) > 0;
    },

    /** Gives a claimed row back untouched (its channel is off in this process). */
    async release(id: number, attempt: number): Promise<void> {
      await run(
        db,
        `UPDATE outbox SET status = 'pending', attempts = attempts - 1, next_attempt_at = now()
          WHERE id = $id AND attempts = $attempt AND status = 'sending'`,
        { id, attempt },
      );
    },

    /**
     * The idempotency marker, written right before the vendor call: from here on, the outcome is
     * uncertain until finish/retry/fail records it. False when the claim was lost meanwhile. The
     * lease starts afresh here: a send begins with a whole lease ahead of it, longer than the SMS
     * request's timeout, so that no other worker can take the row while the call may still land,
     * even if every renewal failed.
     */
    async markStarted(id: number, attempt: number, rendered: RenderedContent, leaseMs: number): Promise<boolean> {
      const externalId = rendered.email?.messageId ?? null;
      const marked = await rows<{ id: number }>(
        db,
        `UPDATE outbox SET send_started_at = now(), rendered = CAST($rendered AS jsonb),
                external_id = coalesce(CAST($externalId AS text), external_id),
                next_attempt_at = now() + make_interval(secs => $leaseSeconds)
          WHERE id = $id AND attempts = $attempt AND status = 'sending' RETURNING id`,
        { id, attempt, rendered: jsonb(rendered), externalId, leaseSeconds: leaseMs / 1000 },
      );
      return marked.length > 0;
    },

    /**
     * The send went out (or was found to have): the row `sent` with the vendor's id, the outbound
     * message on the ticket and a `notified` event, in one statement (one round trip, one commit).
     * False when the claim had lapsed: another worker owns the row, and records nothing here.
     */
    async finish(id: number, attempt: number, sent: SentRecord): Promise<boolean> {
      const [row] = await rows<{ done: number }>(
        db,
        `WITH done AS (
           UPDATE outbox SET status = 'sent', external_id = $externalId, sent_at = now(), send_started_at = NULL,
                  last_error = NULL, error_code = NULL
            WHERE id = $id AND attempts = $attempt AND status = 'sending'
            RETURNING id, ticket_id, kind, channel, recipient
         ), message AS (
           INSERT INTO messages (ticket_id, direction, channel, sender, recipient, subject, body, external_id, status)
           SELECT ticket_id, 'out', channel, CAST($sender AS text), recipient, CAST($subject AS text), CAST($body AS text),
                  CAST($externalId AS text), CAST($status AS text) FROM done
           ON CONFLICT (channel, external_id) DO NOTHING
         ), event AS (
           INSERT INTO ticket_events (ticket_id, type, actor, data)
           SELECT ticket_id, 'notified', $actor, jsonb_strip_nulls(jsonb_build_object(
                    'kind', kind, 'channel', channel, 'outboxId', id, 'reconciled', CAST($reconciled AS boolean)))
             FROM done WHERE ticket_id IS NOT NULL
         )
         SELECT count(*)::int AS done FROM done`,
        {
          id,
          attempt,
          externalId: sent.externalId,
          sender: sent.sender,
          subject: sent.subject,
          body: sent.body,
          status: sent.status,
          actor: ACTOR,
          reconciled: sent.reconciled ? true : null,
        },
      );
      return (row?.done ?? 0) > 0;
    },

    /**
     * Back to `pending` for a later attempt. `marker`: `keep` when the failed call may still have
     * gone through (no answer at all), so that the next attempt reconciles before sending again.
     */
    async retry(
      id: number,
      attempt: number,
      delayMs: number,
      error: { code: string; message: string },
      marker: 'keep' | 'clear',
    ): Promise<boolean> {
      const retried = await rows<{ id: number }>(
        db,
        `UPDATE outbox SET status = 'pending', next_attempt_at = now() + make_interval(secs => $delaySeconds),
                last_error = $message, error_code = $code,
                send_started_at = CASE WHEN CAST($keepMarker AS boolean) THEN send_started_at ELSE NULL END
          WHERE id = $id AND attempts = $attempt AND status = 'sending' RETURNING id`,
        { id, attempt, delaySeconds: delayMs / 1000, message: error.message, code: error.code, keepMarker: marker === 'keep' },
      );
      return retried.length > 0;
    },

    /**
     * Gives up on a row: `failed`, with why, for the dead-letter view, and a `notification_failed`
     * event on the ticket (kind, channel, our code and the vendor's; never the address or the text).
     */
    async fail(
      id: number,
      attempt: number,
      error: { code: string; message: string; vendorCode?: string | number | undefined },
    ): Promise<boolean> {
      const [row] = await rows<{ done: number }>(
        db,
        `WITH done AS (
           UPDATE outbox SET status = 'failed', failed_at = now(), last_error = $message, error_code = $code,
                  send_started_at = NULL, forced = false
            WHERE id = $id AND attempts = $attempt AND status = 'sending'
            RETURNING id, ticket_id, kind, channel
         ), event AS (
           INSERT INTO ticket_events (ticket_id, type, actor, data)
           SELECT ticket_id, 'notification_failed', $actor, jsonb_strip_nulls(jsonb_build_object(
                    'kind', kind, 'channel', channel, 'outboxId', id, 'code', CAST($code AS text),
                    'vendorCode', CAST($vendorCode AS jsonb)))
             FROM done WHERE ticket_id IS NOT NULL
         )
         SELECT count(*)::int AS done FROM done`,
        {
          id,
          attempt,
          message: error.message,
          code: error.code,
          actor: ACTOR,
          vendorCode: error.vendorCode === undefined ? null : jsonb(error.vendorCode),
        },
      );
      return (row?.done ?? 0) > 0;
    },

    /** A sent SMS that the carrier did not deliver (status callback): it joins the dead letters. */
    async failDelivered(
      channel: OutboxChannel,
      externalId: string,
      error: { code: string; message: string },
    ): Promise<{ id: number; kind: string } | null> {
      const [row] = await rows<{ id: number; kind: string }>(
        db,
        `UPDATE outbox SET status = 'failed', failed_at = now(), last_error = $message, error_code = $code
          WHERE channel = $channel AND external_id = $externalId AND status = 'sent' RETURNING id, kind`,
        { channel, externalId, message: error.message, code: error.code },
      );
      return row ?? null;
    },

    /**
     * A coordinator's retry of a failed row: due now, forced past address suppression, and with no
     * marker (the coordinator decided it should go, whatever an earlier attempt did). Wakes the
     * worker: the insert trigger's NOTIFY (migration 020) does not fire on an update, so it is
     * sent here, and like the trigger's it is delivered at commit.
     */
    async requeue(id: number): Promise<RequeuedRow | null> {
      const [row] = await rows<RequeuedRow>(
        db,
        `UPDATE outbox SET status = 'pending', next_attempt_at = now(), send_started_at = NULL, error_code = NULL,
                failed_at = NULL, forced = true
          WHERE id = $id AND status = 'failed' RETURNING id, ticket_id AS "ticketId", kind, channel`,
        { id },
      );
      if (row) await run(db, `SELECT pg_notify('helpdesk_outbox', '')`);
      return row ?? null;
    },
  };
}

export type OutboxDeliveries = ReturnType<typeof createOutboxDeliveries>;
