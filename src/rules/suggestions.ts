import { tellingStems } from './outage-relevance.js';

/**
 * Recurrence seen early (#16): open tickets that look like one cause, grouped. Pure, over a bounded
 * set of candidates the store reads (the open tickets of a recent window, newest first, capped), so
 * the cost does not grow with the backlog.
 *
 * Two tickets look like one cause when they share the category (a ticket without one groups only
 * with others without one) and their words overlap, by either measure:
 * - their subjects (what people name first): at least half of the telling stems of the shorter
 *   subject, so "VPN KO", "Plus de VPN" and "VPN coupé" meet, whatever their descriptions add;
 * - their whole texts: at least half of the telling stems of the shorter text, and two at least.
 * The stems are the outages' (outage-relevance.ts): accents, case and endings aside, the words every
 * complaint uses ("panne", "down", "error") ignored, so two printer tickets sharing only
 * "imprimante" among their words stay apart.
 *
 * Groups form around their earliest ticket (its seed): each ticket, in the order they were opened,
 * joins the first group whose seed it resembles, else starts one. Comparing with the seed rather
 * than with any member keeps a chain of near neighbours (A like B, B like C) from gluing unrelated
 * tickets together, and keeps a group's identity (its seed) stable while tickets join it, which the
 * storm alert's "once per group" relies on.
 */

export interface SuggestionCandidate {
  id: string;
  number: number;
  category: string | null;
  subject: string;
  /** Enough of the description to tell the cause; the store reads its first few hundred characters. */
  description: string;
  createdAt: Date;
}

export interface SuggestionGroup {
  /** The earliest ticket of the group: its title and its identity. */
  seed: SuggestionCandidate;
  /** In the order they were opened, the seed first. */
  tickets: SuggestionCandidate[];
}

/** A group of fewer is not a pattern. */
export const MIN_GROUP = 2;

/** The window a suggestion looks back over: a cause recurs within hours; yesterday's tickets are another story. */
export const SUGGESTION_WINDOW_MS = 2 * 60 * 60 * 1000;

/** A storm: this many tickets of one group… */
export const STORM_TICKETS = 3;
/** …within this long. */
export const STORM_WITHIN_MS = 10 * 60 * 1000;

interface Words {
  subject: Set<string>;
  all: Set<string>;
}

function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const s of a) if (b.has(s)) shared++;
  return shared;
}

function alike(seed: Words, other: Words, sharedInAll: number): boolean {
  const shorterSubject = Math.min(seed.subject.size, other.subject.size);
  const sharedInSubject = shorterSubject > 0 ? overlap(seed.subject, other.subject) : 0;
  if (sharedInSubject > 0 && sharedInSubject * 2 >= shorterSubject) return true;
  const shorter = Math.min(seed.all.size, other.all.size);
  return shorter > 0 && sharedInAll * 2 >= shorter && sharedInAll >= Math.min(2, shorter);
}

/** The groups of at least MIN_GROUP tickets, oldest seed first. Linear in the candidates times the stems each has. */
export function groupSuggestions(candidates: readonly SuggestionCandidate[]): SuggestionGroup[] {
  const ordered = [...candidates].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.number - b.number);
  const groups: { seed: SuggestionCandidate; words: Words; tickets: SuggestionCandidate[] }[] = [];
  // Per category, which groups' seeds hold a stem: a ticket is compared with the seeds it shares a
  // word with, not with every group.
  const seedsByStem = new Map<string, number[]>();
  for (const ticket of ordered) {
    const words = { subject: tellingStems(ticket.subject), all: tellingStems(`${ticket.subject} ${ticket.description}`) };
    const stems = words.all;
    const scope = `${ticket.category ?? ''}\u0000`;
    const shared = new Map<number, number>();
    for (const s of stems) for (const g of seedsByStem.get(scope + s) ?? []) shared.set(g, (shared.get(g) ?? 0) + 1);
    let joined = -1;
    for (const [g, count] of [...shared].sort((a, b) => a[0] - b[0])) {
      if (alike(groups[g]!.words, words, count)) {
        joined = g;
        break;
      }
    }
    if (joined >= 0) {
      groups[joined]!.tickets.push(ticket);
      continue;
    }
    if (stems.size === 0) continue;
    const index = groups.push({ seed: ticket, words, tickets: [ticket] }) - 1;
    for (const s of stems) {
      const key = scope + s;
      const list = seedsByStem.get(key);
      if (list) list.push(index);
      else seedsByStem.set(key, [index]);
    }
  }
  return groups.filter((g) => g.tickets.length >= MIN_GROUP).map(({ seed, tickets }) => ({ seed, tickets }));
}

/**
 * Whether a group is a storm: STORM_TICKETS of its tickets opened within STORM_WITHIN_MS of each
 * other (a sliding window over their opening times, which groupSuggestions keeps in order).
 */
export function isStorm(group: SuggestionGroup): boolean {
  const times = group.tickets.map((t) => t.createdAt.getTime());
  for (let i = STORM_TICKETS - 1; i < times.length; i++) {
    if (times[i]! - times[i - STORM_TICKETS + 1]! <= STORM_WITHIN_MS) return true;
  }
  return false;
}
