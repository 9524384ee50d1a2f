import { createTicketPolicy, type TicketPolicy } from './policy.js';
import type { RoutingRules, RulesBook } from './rules-book.js';

/**
 * The lifecycle's policy over the stored rules: each call uses the book's latest snapshot (the
 * pure policy is rebuilt only when the snapshot changes), and nudges the book to reread stale rules
 * in the background, so that a change made in another process arrives within the book's max age.
 */
export function createLivePolicy(book: RulesBook): TicketPolicy {
  let cached: { rules: RoutingRules; policy: TicketPolicy } | null = null;
  const policy = (): TicketPolicy => {
    book.poke();
    const rules = book.current();
    if (cached?.rules !== rules) {
      cached = {
        rules,
        policy: createTicketPolicy({
          calendar: rules.calendar,
          matrix: rules.matrix,
          keywords: rules.keywords,
          slaTargets: rules.slaTargets,
          requestSlaTargets: rules.requestSlaTargets,
          categories: rules.categories,
        }),
      };
    }
    return cached.policy;
  };
  return {
    assess: (input) => policy().assess(input),
    priorityOf: (impact, urgency) => policy().priorityOf(impact, urgency),
    slaDue: (openedAt, priority, type) => policy().slaDue(openedAt, priority, type),
    async refresh() {
      await book.load();
    },
  };
}
