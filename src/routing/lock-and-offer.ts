import type { Transaction } from 'sequelize';
import { preparedRows } from '../store/prepared.js';
import type { TicketDeps } from '../tickets/deps.js';
import type { TicketState } from '../store/ticket-repository.js';
import { CANDIDATE_COLUMNS, toRecord, type CandidateRow, type TechnicianContact, type TechnicianRecord } from './routing-queries.js';
import { planWrite, type RoutingDecision, type WriteHints } from './write-decision.js';

/**
 * The chosen technician's row locked and, when it is the very row version the decision was ranked
 * on, the offer written: one statement, where a lock, a look at the load under it and the write
 * used to be three.
 *
 * Why the version decides: every change to a technician's load updates their row (the triggers
 * of migration 011), and so does any other change to them; the same `xmin` means nothing at all
 * changed since the candidates were read, so the ranking stands as it was. And the lock returns
 * the latest committed version, even when it waited or the row changed after the statement began
 * (READ COMMITTED re-reads a row it locks), so a load that moved is always seen. When the version
 * differs the row stays locked, nothing is written, and the caller ranks again with the row as
 * locked: the load read under a lock nobody else can change until this transaction commits.
 */

export interface LockedTechnician {
  record: TechnicianRecord;
  contact: TechnicianContact;
  /** What was written when the row was as ranked, as writeDecision returns it; null otherwise. */
  written: { events: string[]; state: TicketState } | null;
}

/** Of a candidate: their row version as read, with which the ranking was made. */
export interface RankedTechnician {
  id: string;
  version: string;
}

/** All a decision may need of a technician's row, its version included; `tech` is the row. */
export const TECHNICIAN_ROW = `${CANDIDATE_COLUMNS.replace('tech.available', 'tech.available AND tech.deleted_at IS NULL AS available')},
  tech.name, tech.phone, tech.email, tech.language, tech.xmin::text AS version`;

type LockedRow = CandidateRow & Omit<TechnicianContact, 'id'> & { version: string; offered: boolean };

/**
 * `'busy'`: another transaction holds the row (SKIP LOCKED); `null`: no such row (after waiting).
 * `mode: 'wait'` is only for a transaction that holds no other technician's row.
 */
export async function lockAndOffer(
  deps: TicketDeps,
  input: {
    state: TicketState;
    decision: RoutingDecision;
    actor: string;
    hints: WriteHints;
    technician: RankedTechnician;
    mode: 'wait' | 'skip-locked';
  },
  tx: Transaction,
): Promise<LockedTechnician | 'busy' | null> {
  const { state, decision, actor, hints, technician, mode } = input;
  const plan = await planWrite(deps, state, decision, actor, tx, hints, 'EXISTS (SELECT 1 FROM unchanged)');
  const [row] = await preparedRows<LockedRow>(
    tx,
    `WITH ${[
      `locked AS (SELECT ${TECHNICIAN_ROW} FROM technicians tech
                   WHERE tech.id = $lockId FOR NO KEY UPDATE${mode === 'skip-locked' ? ' SKIP LOCKED' : ''})`,
      'unchanged AS (SELECT 1 FROM locked WHERE version = $rankedVersion)',
      ...plan.steps,
    ].join(',\n')}
     SELECT locked.*, EXISTS (SELECT 1 FROM unchanged) AS offered FROM locked`,
    { ...plan.bind, lockId: technician.id, rankedVersion: technician.version },
  );
  // Rows are never deleted (a leaving technician is soft-deleted): no row means locked by another.
  if (!row) return mode === 'skip-locked' ? 'busy' : null;
  return {
    record: toRecord(row),
    contact: { id: row.id, name: row.name, phone: row.phone, email: row.email, language: row.language },
    written: row.offered ? { events: plan.events, state: plan.state } : null,
  };
}
