import type { InferAttributes } from 'sequelize';
import { LANGUAGES, type Channel, type Language, type Priority, type TicketStatus } from '../domain/values.js';
import type { Outage, OutageTranslations } from '../domain/ticket.js';
import { rows, type Db } from './handle.js';
import type { OutageRow } from './models/index.js';

/** A ticket linked to an outage, as the outages page lists it. */
export interface LinkedTicket {
  outageId: string;
  number: number;
  subject: string;
  status: TicketStatus;
  priority: Priority;
}

/** A requester of tickets linked to an outage, with the newest such ticket: who hears its end, and by which channel. */
export interface OutageRequester {
  requesterId: string;
  name: string | null;
  emails: string[];
  phones: string[];
  language: Language | null;
  ticket: { id: string; number: number; channel: Channel; subject: string; priority: Priority; category: string | null };
}

type OutageFields = Pick<InferAttributes<OutageRow>, 'id' | 'title' | 'message' | 'category' | 'since' | 'until' | 'translations'>;

/** The jsonb `translations` column as typed data: languages we speak, each with a title and a message. */
export function translationsOf(value: unknown): OutageTranslations {
  const out: OutageTranslations = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const lang of LANGUAGES) {
    const entry: unknown = Reflect.get(value, lang);
    if (typeof entry !== 'object' || entry === null) continue;
    const title: unknown = Reflect.get(entry, 'title');
    const message: unknown = Reflect.get(entry, 'message');
    if (typeof title === 'string' && typeof message === 'string') out[lang] = { title, message };
  }
  return out;
}

function toOutage(o: OutageFields): Outage {
  const translations = translationsOf(o.translations);
  return {
    id: o.id,
    title: o.title,
    message: o.message,
    ...(Object.keys(translations).length > 0 ? { translations } : {}),
    ...(o.category ? { category: o.category } : {}),
    since: o.since.toISOString(),
    ...(o.until ? { until: o.until.toISOString() } : {}),
  };
}

export function createOutageRepository(db: Db) {
  const { Outage } = db.models;
  return {
    /** Outages still going on at `now`: no end, or an announced end still ahead. */
    async current(now = new Date()): Promise<Outage[]> {
      // A plain statement: every new ticket asks (its acknowledgement names the outages).
      const current = await rows<OutageFields>(
        db,
        `SELECT id, title, message, category, since, until, translations FROM outages
          WHERE since <= $now AND (until IS NULL OR until > $now) ORDER BY since DESC`,
        { now },
      );
      return current.map(toOutage);
    },

    /** The ongoing outages and those that ended after `endedSince`, newest first: what a coordinator reviews. */
    async recent(endedSince: Date, limit = 50): Promise<Outage[]> {
      const found = await rows<OutageFields>(
        db,
        `SELECT id, title, message, category, since, until, translations FROM outages
          WHERE until IS NULL OR until > $endedSince ORDER BY since DESC LIMIT $limit`,
        { endedSince, limit },
      );
      return found.map(toOutage);
    },

    /** The tickets linked to these outages (tickets.outage_id, by routing or a person), newest first, per outage. */
    async linkedTickets(outageIds: readonly string[], perOutage = 50): Promise<LinkedTicket[]> {
      if (outageIds.length === 0) return [];
      return rows<LinkedTicket>(
        db,
        // tickets_outage_idx (migration 066) finds them.
        `SELECT "outageId", number, subject, status, priority FROM (
           SELECT t.outage_id AS "outageId", t.number, t.subject, t.status, t.priority,
                  row_number() OVER (PARTITION BY t.outage_id ORDER BY t.created_at DESC) AS rank
             FROM tickets t WHERE t.outage_id = ANY(CAST($ids AS uuid[]))) l
          WHERE rank <= $perOutage ORDER BY "outageId", rank`,
        { ids: [...outageIds], perOutage },
      );
    },

    /**
     * Each requester of the tickets linked to this outage once, with their newest linked ticket
     * (tickets_outage_idx, migration 066): ending the outage tells each of them one message.
     */
    async requestersOfLinked(outageId: string): Promise<OutageRequester[]> {
      return rows<OutageRequester>(
        db,
        `SELECT DISTINCT ON (r.id) r.id AS "requesterId", r.name, r.emails, r.phones, r.language,
                json_build_object('id', t.id, 'number', t.number, 'channel', t.channel, 'subject', t.subject,
                                  'priority', t.priority, 'category', t.category) AS ticket
           FROM tickets t JOIN requesters r ON r.id = t.requester_id
          WHERE t.outage_id = $outageId
          ORDER BY r.id, t.created_at DESC`,
        { outageId },
      );
    },

    /** The open tickets linked to this outage: routing takes them up again when it ends. */
    async openLinkedTicketIds(outageId: string): Promise<string[]> {
      const found = await rows<{ id: string }>(
        db,
        `SELECT id FROM tickets WHERE outage_id = $outageId AND status IN ('new', 'assigned', 'in_progress', 'pending')`,
        { outageId },
      );
      return found.map((r) => r.id);
    },

    async create(input: {
      title: string;
      message: string;
      since?: Date;
      until?: Date | null;
      category?: string | null;
      translations?: OutageTranslations;
    }) {
      const row = await Outage.create(
        {
          title: input.title,
          message: input.message,
          since: input.since ?? new Date(),
          until: input.until ?? null,
          category: input.category ?? null,
          translations: input.translations ?? {},
        },
        { transaction: db.tx },
      );
      return toOutage(row.get({ plain: true }));
    },

    /** Ending an outage keeps it for the tickets linked to it. */
    async end(id: string, now = new Date()): Promise<boolean> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
      const ended = await rows<{ id: string }>(
        db,
        'UPDATE outages SET until = $now WHERE id = $id AND (until IS NULL OR until > $now) RETURNING id',
        { id, now },
      );
      return ended.length > 0;
    },
  };
}
