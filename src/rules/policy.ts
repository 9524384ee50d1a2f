import type { Channel, Level, Priority, Tier, TicketType } from '../domain/values.js';
import type { BusinessCalendar } from './calendar.js';
import { DEFAULT_CATEGORY_TABLE, scoreCategory, startingTier, type CategoryDefinition } from './categorize.js';
import { assessTicket, priorityOf, DEFAULT_PRIORITY_MATRIX, type PriorityKeywords, type PriorityMatrix } from './priority.js';
import { DEFAULT_REQUEST_SLA_TARGETS, DEFAULT_SLA_TARGETS, dueDates, type SlaTargets } from './sla.js';

/** What a new ticket's priority, category and tier were decided from. */
export interface Assessment {
  impact: Level;
  urgency: Level;
  priority: Priority;
  category: string | null;
  tier: Tier;
  reasons: string[];
}

export interface AssessInput {
  channel: Channel;
  subject: string;
  description: string;
  impact?: Level | undefined;
  urgency?: Level | undefined;
  category?: string | null | undefined;
  vip: boolean;
  /** Channel hints: the IVR's urgent option, an urgent@ mailbox, X-Priority/Importance. */
  urgencyHint?: Level | undefined;
}

/**
 * The routing rules the lifecycle needs at the moment of a change. Pure functions behind an
 * interface, so that tickets/ does not depend on how routing stores its rules.
 */
export interface TicketPolicy {
  assess(input: AssessInput): Assessment;
  priorityOf(impact: Level, urgency: Level): Priority;
  /** A request's clocks (`type` request) run on their own targets, from its approval. */
  slaDue(openedAt: Date, priority: Priority, type?: TicketType): { respondBy: Date; resolveBy: Date };
  /** The stored rules changed (through the API): read them again before the next decision. */
  refresh?(): Promise<void>;
}

export interface PolicyRules {
  calendar: BusinessCalendar;
  matrix?: PriorityMatrix;
  keywords?: PriorityKeywords;
  slaTargets?: SlaTargets;
  requestSlaTargets?: SlaTargets;
  categories?: readonly CategoryDefinition[];
}

/** The routing rules, bound to the desk's settings, as the lifecycle consumes them. */
export function createTicketPolicy(rules: PolicyRules): TicketPolicy {
  const matrix = rules.matrix ?? DEFAULT_PRIORITY_MATRIX;
  const targets = rules.slaTargets ?? DEFAULT_SLA_TARGETS;
  const requestTargets = rules.requestSlaTargets ?? DEFAULT_REQUEST_SLA_TARGETS;
  const categories = rules.categories ?? DEFAULT_CATEGORY_TABLE;
  return {
    assess(input) {
      const assessment = assessTicket(
        {
          explicit: { impact: input.impact, urgency: input.urgency },
          ivrUrgent: input.urgencyHint === 'high' && input.channel === 'voice',
          mailbox: input.channel !== 'voice' && input.urgencyHint ? { urgency: input.urgencyHint } : undefined,
          subject: input.subject,
          description: input.description,
          vip: input.vip,
        },
        rules.keywords ? { matrix, keywords: rules.keywords } : { matrix },
      );
      const reasons = [...assessment.reasons];
      let category = input.category ?? null;
      if (category) reasons.push(`category ${category}: set by a person or channel`);
      else {
        const guess = scoreCategory(`${input.subject}\n${input.description}`, categories);
        if (guess) {
          category = guess.category;
          reasons.push(`category ${category}: keywords ${guess.keywords.map((k) => `"${k}"`).join(', ')}`);
        }
      }
      return { ...assessment, category, tier: startingTier(category, categories), reasons };
    },
    priorityOf: (impact, urgency) => priorityOf(impact, urgency, matrix),
    slaDue: (openedAt, priority, type = 'incident') =>
      dueDates(openedAt, priority, rules.calendar, type === 'request' ? requestTargets : targets),
  };
}
