import type { BusinessHours } from '../config/business-hours.js';
import type { TicketType } from '../domain/values.js';
import type { Logger } from '../log.js';
import type { LoadWeights } from './assignment.js';
import type { BusinessCalendar } from './calendar.js';
import { DEFAULT_CATEGORY_TABLE, type CategoryDefinition } from './categorize.js';
import type { PriorityKeywords, PriorityMatrix } from './priority.js';
import { RULES, RULE_NAMES, type OfferRules, type RuleName } from './rules-schemas.js';
import type { SlaTargets } from './sla.js';

/** Every rule routing and the lifecycle use, as one immutable snapshot. */
export interface RoutingRules {
  /** HELPDESK_BUSINESS_HOURS in HELPDESK_TIMEZONE, with the stored holidays. */
  calendar: BusinessCalendar;
  matrix: PriorityMatrix;
  keywords: PriorityKeywords;
  slaTargets: SlaTargets;
  /** Service requests' targets (#17). */
  requestSlaTargets: SlaTargets;
  offers: OfferRules;
  loadWeights: LoadWeights;
  categories: readonly CategoryDefinition[];
}

/** The targets a ticket's clocks run on: a service request's own, or the incidents' (#17). */
export function slaTargetsFor(rules: Pick<RoutingRules, 'slaTargets' | 'requestSlaTargets'>, type: TicketType): SlaTargets {
  return type === 'request' ? rules.requestSlaTargets : rules.slaTargets;
}

export interface RulesBook {
  /** The last snapshot read; defaults until the first load. Never blocks. */
  current(): RoutingRules;
  /** Reads the stored rules now (concurrent callers share one read). */
  load(): Promise<RoutingRules>;
  /** The snapshot, read again first when older than the book's maximum age. */
  fresh(): Promise<RoutingRules>;
  /** Starts a background read when the snapshot is stale; for synchronous callers. */
  poke(): void;
}

/** Where the book reads the stored rules from (the store's rules repository, in the desk). */
export interface StoredRules {
  /** One JSON value per rule name, as stored; unvalidated. */
  settings(): Promise<ReadonlyMap<string, unknown>>;
  /** The category table, in name order. */
  categories(): Promise<readonly CategoryDefinition[]>;
}

export interface RulesBookOptions {
  repository: StoredRules;
  timezone: string;
  businessHours: BusinessHours;
  log: Logger;
  /**
   * How long a snapshot is trusted. A change made through the API reloads the book of the process
   * that made it at once; other processes see it within this time.
   */
  maxAgeMs?: number;
}

type RuleValues = { [K in RuleName]: (typeof RULES)[K]['default'] };

function snapshot(
  values: RuleValues,
  categories: readonly CategoryDefinition[],
  base: Pick<RulesBookOptions, 'timezone' | 'businessHours'>,
): RoutingRules {
  return Object.freeze({
    calendar: { timezone: base.timezone, hours: base.businessHours, holidays: [...values.calendar.holidays] },
    matrix: values['priority-matrix'],
    keywords: values['priority-keywords'],
    slaTargets: values['sla-targets'],
    requestSlaTargets: values['request-sla-targets'],
    offers: values['offer-timeouts'],
    loadWeights: values['load-weights'],
    categories,
  });
}

function defaults(): RuleValues {
  return Object.fromEntries(RULE_NAMES.map((name) => [name, RULES[name].default])) as RuleValues;
}

export function createRulesBook(options: RulesBookOptions): RulesBook {
  const maxAgeMs = options.maxAgeMs ?? 10_000;
  let rules = snapshot(defaults(), DEFAULT_CATEGORY_TABLE, options);
  let loadedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let inflight: Promise<RoutingRules> | null = null;

  async function read(): Promise<RoutingRules> {
    const [stored, categories] = await Promise.all([options.repository.settings(), options.repository.categories()]);
    const values = defaults();
    for (const name of RULE_NAMES) {
      if (!stored.has(name)) continue;
      const parsed = RULES[name].schema.safeParse(stored.get(name));
      if (parsed.success) (values as Record<RuleName, unknown>)[name] = parsed.data;
      // A row edited by hand into nonsense must not stop routing: the default stands, loudly.
      else options.log.warn({ rule: name, issue: parsed.error.issues[0]?.message }, 'stored rule is invalid; using its default');
    }
    const table = categories.map(({ name, skills, startTier, keywords }) => ({
      name,
      skills: skills.map((s) => s.trim().toLowerCase()),
      startTier,
      keywords,
    }));
    return snapshot(values, table, options);
  }

  const book: RulesBook = {
    current: () => rules,
    load() {
      if (inflight) return inflight;
      const started = Date.now();
      attemptedAt = started;
      inflight = read()
        .then((next) => {
          rules = next;
          loadedAt = started;
          return next;
        })
        .finally(() => {
          inflight = null;
        });
      return inflight;
    },
    async fresh() {
      return Date.now() - loadedAt > maxAgeMs ? book.load() : rules;
    },
    poke() {
      // Paced by attempts, not successes: a database that is down is not asked on every call.
      if (inflight || Date.now() - attemptedAt <= maxAgeMs) return;
      book.load().catch((err: unknown) => options.log.debug({ err: (err as Error).message }, 'reading the routing rules failed'));
    },
  };
  return book;
}
