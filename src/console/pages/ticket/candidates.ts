import type { Technician, TicketDetail } from '../../../domain/ticket.js';
import { snapshotOf } from '../../../routing/decide.js';
import { rankCandidates, summarizeDecision, type AssignmentDecision } from '../../../rules/assignment.js';
import { requiredSkills } from '../../../rules/categorize.js';
import { readHistory } from '../../../rules/history.js';
import { RULES } from '../../../rules/rules-schemas.js';
import { createShiftClock } from '../../../rules/shift-clock.js';
import type { ConsoleDeps } from '../../deps.js';

/** One line of the reassign list: a technician, whether routing would offer them the ticket now, and why. */
export interface ReassignChoice {
  id: string;
  name: string;
  eligible: boolean;
  /** As rules/assignment.ts words them ("exact skills", "off shift"…); the page translates them. */
  reasons: string[];
}

/**
 * The technicians a coordinator may hand the ticket to, ranked by the very rule routing decides with
 * (rules/assignment.ts rankCandidates over the snapshots routing builds, with the stored load
 * weights and the category's skills), best first; then everyone else, with why routing would pass
 * them over. Only reads: nothing is locked or offered.
 */
export async function reassignChoices(
  deps: ConsoleDeps,
  ticket: TicketDetail,
  technicians: readonly Technician[],
  now: Date,
): Promise<ReassignChoice[]> {
  const [records, categories, storedWeights] = await Promise.all([
    deps.store.routing.everyone(),
    deps.store.rules.categories(),
    deps.store.rules.setting('load-weights'),
  ]);
  const weights = RULES['load-weights'].schema.safeParse(storedWeights);
  // As the rules book reads the table: skills compared in lower case.
  const table = categories.map((c) => ({ ...c, skills: c.skills.map((s) => s.trim().toLowerCase()) }));
  const history = readHistory(ticket.events);
  const clock = createShiftClock(deps.config.timezone);
  const snapshots = records.map((r) => snapshotOf(r, history, (shift) => clock(shift, now)));
  const decision = rankCandidates(
    { priority: ticket.priority, tier: ticket.tier, requiredSkills: requiredSkills(ticket.category, table) },
    snapshots,
    weights.success ? weights.data : RULES['load-weights'].default,
  );
  const names = new Map(technicians.map((t) => [t.id, t.name]));
  return orderChoices(decision, names).filter((c) => c.id !== ticket.assignee?.id);
}

/** Eligible technicians in the ranking's order, then the others by name; technicians without a name (gone) left out. */
function orderChoices(decision: AssignmentDecision, names: ReadonlyMap<string, string>): ReassignChoice[] {
  const named = (c: { id: string; eligible: boolean; reasons: string[] }) => {
    const name = names.get(c.id);
    return name === undefined ? [] : [{ id: c.id, name, eligible: c.eligible, reasons: c.reasons }];
  };
  const ranked = summarizeDecision(decision, decision.candidates.length).top.flatMap(named);
  const others = decision.candidates
    .filter((c) => !c.eligible)
    .flatMap(named)
    .sort((a, b) => a.name.localeCompare(b.name));
  return [...ranked, ...others];
}
