import type { ProblemRef } from '../domain/ticket.js';
import type { Logger } from '../log.js';
import { rows, run, txOf, type Db } from './handle.js';
import { listenOn, type Listening } from './pg-listen.js';
import { UUID } from './ticket-queries.js';

export type ProblemStatus = ProblemRef['status'];

/** A problem as the API shows it: the cause behind incidents, and those incidents by number. */
export interface Problem {
  id: string;
  title: string;
  status: ProblemStatus;
  rootCause?: string;
  workaround?: string;
  outageId?: string;
  resolution?: string;
  incidents: number[];
  createdAt: string;
  updatedAt: string;
  resolvedAt?: string;
}

export interface ProblemFields {
  title?: string;
  status?: Exclude<ProblemStatus, 'resolved'>;
  rootCause?: string | null;
  workaround?: string | null;
  outageId?: string | null;
}

/** A link owing its incident's resolution: the problem's resolution, to apply once. */
export interface OwedResolution {
  ticketId: string;
  problemId: string;
  problemStatus: ProblemStatus;
  resolution: string | null;
}

interface ProblemRow {
  id: string;
  title: string;
  status: ProblemStatus;
  root_cause: string | null;
  workaround: string | null;
  outage_id: string | null;
  resolution: string | null;
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
  incidents: string[] | null;
}

// Postgres answers bigint as text; ticket numbers stay far below 2^53.
const PROBLEM_SELECT = `
  SELECT p.*, (SELECT array_agg(t.number ORDER BY t.number) FROM problem_incidents pi JOIN tickets t ON t.id = pi.ticket_id
                WHERE pi.problem_id = p.id) AS incidents
    FROM problems p`;

function toProblem(r: ProblemRow): Problem {
  return {
    id: r.id,
    title: r.title,
    status: r.status,
    ...(r.root_cause !== null ? { rootCause: r.root_cause } : {}),
    ...(r.workaround !== null ? { workaround: r.workaround } : {}),
    ...(r.outage_id !== null ? { outageId: r.outage_id } : {}),
    ...(r.resolution !== null ? { resolution: r.resolution } : {}),
    incidents: (r.incidents ?? []).map(Number),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    ...(r.resolved_at ? { resolvedAt: r.resolved_at.toISOString() } : {}),
  };
}

const FIELD_KEYS = ['title', 'status', 'rootCause', 'workaround', 'outageId'] as const;
const COLUMNS: Record<(typeof FIELD_KEYS)[number], string> = {
  title: 'title',
  status: 'status',
  rootCause: 'root_cause',
  workaround: 'workaround',
  outageId: 'outage_id',
};

/** The channel a problem's resolving transaction NOTIFYs at commit: the worker hears of owed resolutions at once. */
const OWED_CHANNEL = 'helpdesk_problem_resolutions';

export function createProblemRepository(db: Db) {
  async function one(id: string): Promise<Problem | null> {
    const [found] = await rows<ProblemRow>(db, `${PROBLEM_SELECT} WHERE p.id = $id`, { id });
    return found ? toProblem(found) : null;
  }

  return {
    get: one,

    async list(limit: number, offset: number): Promise<{ items: Problem[]; total: number }> {
      const [items, counted] = await Promise.all([
        rows<ProblemRow>(db, `${PROBLEM_SELECT} ORDER BY p.created_at DESC, p.id LIMIT $limit OFFSET $offset`, { limit, offset }),
        rows<{ total: number }>(db, 'SELECT count(*)::int AS total FROM problems'),
      ]);
      return { items: items.map(toProblem), total: counted[0]?.total ?? 0 };
    },

    async create(fields: ProblemFields & { title: string }): Promise<string> {
      const [created] = await rows<{ id: string }>(
        db,
        `INSERT INTO problems (title, status, root_cause, workaround, outage_id)
         VALUES ($title, $status, $rootCause, $workaround, $outageId) RETURNING id`,
        {
          title: fields.title,
          status: fields.status ?? 'open',
          rootCause: fields.rootCause ?? null,
          workaround: fields.workaround ?? null,
          outageId: fields.outageId ?? null,
        },
      );
      if (!created) throw new Error('problems: the insert returned no row');
      return created.id;
    },

    /** Locks the problem's row for the rest of the transaction: its links and its resolution change under it. */
    async lock(id: string): Promise<Problem | null> {
      txOf(db, 'problems.lock');
      const locked = await rows<{ id: string }>(db, 'SELECT id FROM problems WHERE id = $id FOR UPDATE', { id });
      return locked.length > 0 ? one(id) : null;
    },

    /** Changes the fields given; a status back to open or known_error forgets the resolution. */
    async update(id: string, fields: ProblemFields): Promise<void> {
      const bind: Record<string, unknown> = { id };
      const sets: string[] = [];
      for (const key of FIELD_KEYS) {
        const value = fields[key];
        if (value === undefined) continue;
        bind[key] = value;
        sets.push(`${COLUMNS[key]} = $${key}`);
      }
      if (fields.status) sets.push('resolution = NULL', 'resolved_at = NULL');
      if (sets.length === 0) return;
      await run(db, `UPDATE problems SET ${sets.join(', ')}, updated_at = now() WHERE id = $id`, bind);
    },

    async resolve(id: string, resolution: string): Promise<void> {
      await run(
        db,
        `UPDATE problems SET status = 'resolved', resolution = $resolution, resolved_at = now(), updated_at = now() WHERE id = $id`,
        {
          id,
          resolution,
        },
      );
    },

    /**
     * Every link whose ticket is open now owes its incident's resolution (one durable job per
     * incident, done by the worker); the NOTIFY reaches the worker at commit. How many are owed.
     */
    async oweResolutions(id: string): Promise<number> {
      const owed = await rows<{ ticket_id: string }>(
        db,
        `UPDATE problem_incidents pi SET resolution_owed_at = now()
           FROM tickets t
          WHERE pi.problem_id = $id AND t.id = pi.ticket_id AND t.status IN ('new', 'assigned', 'in_progress', 'pending')
         RETURNING pi.ticket_id`,
        { id },
      );
      if (owed.length > 0) await run(db, `SELECT pg_notify('${OWED_CHANNEL}', '')`);
      return owed.length;
    },

    async outageExists(id: string): Promise<boolean> {
      if (!UUID.test(id)) return false;
      return (await rows(db, 'SELECT 1 FROM outages WHERE id = $id', { id })).length > 0;
    },

    /** The problem a ticket is an incident of, if any. */
    async ofTicket(ticketId: string): Promise<ProblemRef | null> {
      const [found] = await rows<ProblemRef>(
        db,
        `SELECT p.id, p.title, p.status FROM problem_incidents pi JOIN problems p ON p.id = pi.problem_id WHERE pi.ticket_id = $ticketId`,
        { ticketId },
      );
      return found ?? null;
    },

    /** Links the ticket to the problem (moving it from another one); what it was linked to before, or null. */
    async link(problemId: string, ticketId: string): Promise<{ previous: string | null }> {
      const [before] = await rows<{ problem_id: string }>(db, 'SELECT problem_id FROM problem_incidents WHERE ticket_id = $ticketId', {
        ticketId,
      });
      await run(
        db,
        `INSERT INTO problem_incidents (ticket_id, problem_id) VALUES ($ticketId, $problemId)
         ON CONFLICT (ticket_id) DO UPDATE SET problem_id = EXCLUDED.problem_id, linked_at = now(), resolution_owed_at = NULL`,
        { ticketId, problemId },
      );
      return { previous: before?.problem_id ?? null };
    },

    /**
     * The next link owing its incident's resolution, in ticket number order, locked for this
     * transaction; one that another worker holds is skipped (it is being done).
     */
    async claimOwed(except: readonly string[] = []): Promise<OwedResolution | null> {
      txOf(db, 'problems.claimOwed');
      const [claimed] = await rows<OwedResolution>(
        db,
        `SELECT pi.ticket_id AS "ticketId", p.id AS "problemId", p.status AS "problemStatus", p.resolution
           FROM problem_incidents pi JOIN problems p ON p.id = pi.problem_id JOIN tickets t ON t.id = pi.ticket_id
          WHERE pi.resolution_owed_at IS NOT NULL AND NOT pi.ticket_id = ANY(CAST($except AS uuid[]))
          ORDER BY t.number LIMIT 1 FOR UPDATE OF pi SKIP LOCKED`,
        // An array literal: the ids are uuids read from this table.
        { except: `{${except.join(',')}}` },
      );
      return claimed ?? null;
    },

    async settleOwed(ticketId: string): Promise<void> {
      await run(db, 'UPDATE problem_incidents SET resolution_owed_at = NULL WHERE ticket_id = $ticketId', { ticketId });
    },

    /** How many incidents still owe their resolution (health, tests). */
    async countOwed(): Promise<number> {
      const [counted] = await rows<{ n: number }>(
        db,
        'SELECT count(*)::int AS n FROM problem_incidents WHERE resolution_owed_at IS NOT NULL',
      );
      return counted?.n ?? 0;
    },

    /** Hears each commit that left resolutions owed, on a connection of its own (see pg-listen.ts). */
    listenOwed(log: Logger, handlers: { onNotify(): void; onReconnect(): void }): Listening {
      return listenOn(
        db,
        {
          channel: OWED_CHANNEL,
          applicationName: 'helpdesk-problems-listen',
          name: 'problem resolutions listener',
          whileDown: 'the periodic sweep covers until it is back',
        },
        log,
        { onNotify: () => handlers.onNotify(), onReconnect: () => handlers.onReconnect() },
      );
    },
  };
}
