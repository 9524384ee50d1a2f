import type { Db, Bind } from './handle.js';
import { hotRows, rows } from './handle.js';
import { jsonb } from './jsonb.js';
import { insertOutboxRows, type Notification } from './outbox-repository.js';
import type { TicketChanges } from './ticket-repository.js';

/** An event as written: its id when one was taken beforehand (the cause its notifications are keyed by). */
export interface WrittenEvent {
  id?: string | undefined;
  type: string;
  data?: Record<string, unknown> | undefined;
}

/** Everything one change to one ticket writes. */
export interface TicketWrite {
  ticketId: string;
  actor: string;
  changes: TicketChanges;
  events: readonly WrittenEvent[];
  /** The outbox rows the change owes, keyed by their cause (the last event's id, taken beforehand). */
  notifications: readonly Notification[];
  /** The technician offered the ticket: their idle time restarts at this moment. */
  lastAssigned?: { technicianId: string; at: Date } | undefined;
}

/** A write as the parts of one statement: `WITH <steps> SELECT …`. */
export interface WriteSteps {
  steps: string[];
  bind: Bind;
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const EVENT_ID = `nextval(pg_get_serial_sequence('ticket_events', 'id'))`;

/**
 * The only text that updates `tickets`: the new state, its events, the notifications they cause
 * and the offered technician's idle clock as data-modifying steps of one statement, so that a
 * change is one round trip whoever makes it. `guard`, an SQL condition, makes every step happen
 * only if it holds: routing's lock-and-offer composes these steps after its own lock and writes
 * only when the technician's row is still the one it ranked. `tag` tells apart the steps and
 * parameters of several writes in one statement.
 */
export function ticketWriteSteps(write: TicketWrite, guard = 'true', tag = ''): WriteSteps {
  const bind: Bind = {};
  const p = (name: string, value: unknown) => {
    bind[`${name}${tag}`] = value;
    return `$${name}${tag}`;
  };
  const ticketId = p('ticketId', write.ticketId);
  const steps: string[] = [];
  // Seen as fields of unknown value: Object.entries of an interface would give each value as any.
  const fields: Partial<Record<keyof TicketChanges, unknown>> = write.changes;
  const changes = Object.entries(fields).filter(([, value]) => value !== undefined);
  if (changes.length > 0) {
    const sets = changes.map(([name, value], i) => `"${snake(name)}" = ${p(`c${i}_`, value)}`);
    const updatedAt = p('updatedAt', new Date());
    steps.push(`changed${tag} AS (UPDATE tickets SET ${sets.join(', ')}, updated_at = ${updatedAt} WHERE id = ${ticketId} AND ${guard})`);
  }
  if (write.lastAssigned) {
    const [at, technicianId] = [p('assignedAt', write.lastAssigned.at), p('technicianId', write.lastAssigned.technicianId)];
    steps.push(`touched${tag} AS (UPDATE technicians SET last_assigned_at = ${at} WHERE id = ${technicianId} AND ${guard})`);
  }
  if (write.events.length > 0) {
    const actor = p('actor', write.actor);
    const events = p('events', jsonb(write.events.map((e) => ({ id: e.id ?? null, type: e.type, data: e.data ?? {} }))));
    // A function scan yields the array in order, so events without a taken id are numbered in order too.
    // Their moment is now(), the transaction's start (as the table's default): every event of one
    // unit of work carries the same one, whichever write made it.
    steps.push(`appended${tag} AS (INSERT INTO ticket_events (id, ticket_id, type, actor, data, at)
      SELECT coalesce(e.id, ${EVENT_ID}), ${ticketId}, e.type, ${actor}, e.data, now()
        FROM jsonb_to_recordset(CAST(${events} AS jsonb)) AS e(id bigint, type text, data jsonb) WHERE ${guard})`);
  }
  if (write.notifications.length > 0) {
    p('outbox', jsonb(write.notifications));
    steps.push(`queued${tag} AS (${insertOutboxRows(`outbox${tag}`, guard)})`);
  }
  return { steps, bind };
}

/**
 * Writes in runs that one statement can hold: a statement cannot update one row twice (its
 * data-modifying steps share one snapshot), so a ticket or an offered technician met again starts
 * the next run.
 */
function statementRuns(writes: readonly TicketWrite[]): TicketWrite[][] {
  const runs: TicketWrite[][] = [];
  let rowsOfRun = new Set<string>();
  for (const write of writes) {
    const keys = [`t:${write.ticketId}`, ...(write.lastAssigned ? [`u:${write.lastAssigned.technicianId}`] : [])];
    const last = runs.at(-1);
    if (!last || keys.some((k) => rowsOfRun.has(k))) {
      runs.push([write]);
      rowsOfRun = new Set(keys);
    } else {
      last.push(write);
      for (const k of keys) rowsOfRun.add(k);
    }
  }
  return runs;
}

export function createTicketWriter(db: Db) {
  return {
    /** One change to one ticket, in one statement (see ticketWriteSteps). */
    async writeChange(write: TicketWrite): Promise<void> {
      const { steps, bind } = ticketWriteSteps(write);
      if (steps.length === 0) return;
      await hotRows(db, `WITH ${steps.join(',\n')} SELECT 1`, bind);
    },

    /**
     * Changes to many tickets (a round of emails joining theirs), in order, each as writeChange would
     * write it, as steps of as few statements as can hold them: one round trip instead of one per
     * ticket. Not prepared: the text differs with every mix of changes.
     */
    async writeChanges(writes: readonly TicketWrite[]): Promise<void> {
      for (const run of statementRuns(writes)) {
        const [only, ...more] = run;
        if (only && more.length === 0) {
          await this.writeChange(only);
          continue;
        }
        const parts = run.map((write, i) => ticketWriteSteps(write, 'true', `_${i}`));
        const steps = parts.flatMap((part) => part.steps);
        if (steps.length === 0) continue;
        const bind: Bind = {};
        for (const part of parts) Object.assign(bind, part.bind);
        await rows(db, `WITH ${steps.join(',\n')} SELECT 1`, bind);
      }
    },

    /**
     * Ids for `n` events about to be written, in order: a change's notifications are keyed by its
     * last event, so a writer that owes notifications takes the ids first.
     */
    async takeEventIds(n: number): Promise<string[]> {
      if (n === 0) return [];
      const taken = await hotRows<{ id: string }>(db, `SELECT ${EVENT_ID}::text AS id FROM generate_series(1, $n::int)`, { n });
      return taken.map((r) => r.id);
    },
  };
}
