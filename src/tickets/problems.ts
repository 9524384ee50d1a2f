import { actorLabel, type Actor } from '../domain/ticket.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { Problem, ProblemFields } from '../store/problem-repository.js';
import { changeTickets, ticketIdOrThrow, type TicketChange } from './apply-change.js';
import { within, type TicketDeps } from './deps.js';
import { assertResolution } from './lifecycle.js';

/**
 * Problems (issue #16): the cause behind incidents. A coordinator records its root cause and
 * workaround (a known error), links incidents to it (an event on each ticket), and resolves it;
 * resolving may resolve its open incidents too, each through the worker of problem-resolutions.ts.
 */

export interface NewProblem extends ProblemFields {
  title: string;
  /** Tickets (numbers or references) to link at once. */
  incidents?: string[] | undefined;
}

async function lockedOrThrow(tx: Store, id: string): Promise<Problem> {
  const problem = await tx.problems.lock(id);
  if (!problem) throw new AppError('PROBLEM_NOT_FOUND', `problem ${id} does not exist`);
  return problem;
}

/** A known error is a problem whose cause or way around is known: say which. */
function assertKnown(status: Problem['status'], after: Pick<ProblemFields, 'rootCause' | 'workaround'>): void {
  if (status === 'known_error' && !after.rootCause && !after.workaround) {
    throw new AppError('VALIDATION_FAILED', 'a known error needs its rootCause or its workaround', { field: 'status' });
  }
}

async function assertOutage(store: Store, outageId: string | null | undefined): Promise<void> {
  if (outageId && !(await store.problems.outageExists(outageId))) {
    throw new AppError('OUTAGE_NOT_FOUND', `outage ${outageId} does not exist`, { field: 'outageId' });
  }
}

export async function createProblem(deps: TicketDeps, input: NewProblem, actor: Actor): Promise<Problem> {
  const { incidents, ...fields } = input;
  assertKnown(fields.status ?? 'open', fields);
  await assertOutage(deps.store, fields.outageId);
  return deps.store.transaction(async (tx) => {
    const id = await tx.problems.create(fields);
    if (incidents?.length) await link(deps, tx, await lockedOrThrow(tx, id), incidents, actor);
    return getProblem(tx, id);
  });
}

export async function getProblem(store: Store, id: string): Promise<Problem> {
  const problem = await store.problems.get(id);
  if (!problem) throw new AppError('PROBLEM_NOT_FOUND', `problem ${id} does not exist`);
  return problem;
}

/** Title, cause, workaround, outage; a status back to open or known error reopens a resolved problem. */
export async function updateProblem(deps: TicketDeps, id: string, patch: ProblemFields): Promise<Problem> {
  await assertOutage(deps.store, patch.outageId);
  return deps.store.transaction(async (tx) => {
    const problem = await lockedOrThrow(tx, id);
    const after = {
      rootCause: patch.rootCause === undefined ? problem.rootCause : patch.rootCause,
      workaround: patch.workaround === undefined ? problem.workaround : patch.workaround,
    };
    assertKnown(patch.status ?? problem.status, after);
    await tx.problems.update(id, patch);
    return getProblem(tx, id);
  });
}

/** Links tickets to the problem as its incidents: the link, and a `linked_to_problem` event on each ticket. */
export async function linkIncidents(deps: TicketDeps, id: string, tickets: readonly string[], actor: Actor): Promise<Problem> {
  return deps.store.transaction(async (tx) => {
    await link(deps, tx, await lockedOrThrow(tx, id), tickets, actor);
    return getProblem(tx, id);
  });
}

async function link(deps: TicketDeps, tx: Store, problem: Problem, keys: readonly string[], actor: Actor): Promise<void> {
  if (problem.status === 'resolved') {
    throw new AppError('ILLEGAL_TRANSITION', 'this problem is resolved: reopen it (PATCH status) before linking incidents to it');
  }
  const inner = within(deps, tx);
  // One after the other: the statements of a transaction share its one connection.
  const ids = new Set<string>();
  for (const key of keys) ids.add(await ticketIdOrThrow(inner, key));
  const changes: TicketChange[] = [];
  for (const ticketId of ids) {
    const { previous } = await tx.problems.link(problem.id, ticketId);
    if (previous === problem.id) continue;
    changes.push({
      ticketId,
      actor: actorLabel(actor),
      decide: () => ({
        changes: {},
        events: [{ type: 'linked_to_problem', data: { problemId: problem.id, title: problem.title, previous } }],
      }),
    });
  }
  await changeTickets(inner, changes);
}

/**
 * The problem resolved with `resolution`. With `resolveIncidents`, each incident open now owes its
 * resolution, written here as one durable job per incident in the same transaction; the worker
 * (problem-resolutions.ts) resolves each in a transaction of its own and tells its requester once.
 */
export async function resolveProblem(
  deps: TicketDeps,
  id: string,
  input: { resolution?: string | undefined; resolveIncidents?: boolean | undefined },
): Promise<Problem & { incidentsToResolve: number }> {
  const note = assertResolution(input.resolution);
  return deps.store.transaction(async (tx) => {
    const problem = await lockedOrThrow(tx, id);
    if (problem.status === 'resolved') throw new AppError('ILLEGAL_TRANSITION', 'this problem is resolved already');
    await tx.problems.resolve(id, note);
    const owed = input.resolveIncidents === true ? await tx.problems.oweResolutions(id) : 0;
    return { ...(await getProblem(tx, id)), incidentsToResolve: owed };
  });
}
