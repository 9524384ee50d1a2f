import { z } from 'zod';
import { PRIORITIES } from '../domain/values.js';
import { DEFAULT_LOAD_WEIGHTS } from './assignment.js';
import { DEFAULT_OFFER_TIMEOUTS, DEFAULT_REMINDER_RATIO, type OfferTimeouts } from './offers.js';
import { DEFAULT_PRIORITY_KEYWORDS, DEFAULT_PRIORITY_MATRIX } from './priority.js';
import { DEFAULT_REQUEST_SLA_TARGETS, DEFAULT_SLA_TARGETS } from './sla.js';

/**
 * The routing rules a coordinator may edit, each stored as one `settings` row (key = rule name,
 * value = JSON). Every value is checked here before it is stored and again when it is read, so a
 * row edited by hand in psql cannot put routing off its rails: a bad row falls back to the default.
 */

const priority = z.enum(PRIORITIES, { message: 'expected one of P1, P2, P3, P4' });
const row = z.strictObject({ high: priority, medium: priority, low: priority });
const perPriority = <T extends z.ZodType>(value: T) => z.strictObject({ P1: value, P2: value, P3: value, P4: value });
/** Minutes may be fractional: tests and drills use targets of seconds. */
const minutes = z
  .number()
  .positive('must be more than 0')
  .max(366 * 24 * 60);
const keywordList = z.array(z.string().trim().toLowerCase().min(1).max(100)).max(500);

export const matrixSchema = z.strictObject({ high: row, medium: row, low: row });

export const keywordsSchema = z.strictObject({
  urgencyHigh: keywordList,
  urgencyLow: keywordList,
  impactHigh: keywordList,
});

export const slaTargetsSchema = perPriority(
  z.strictObject({ responseMinutes: minutes, resolutionMinutes: minutes, aroundTheClock: z.boolean() }),
);

export interface OfferRules {
  /** Minutes to ACCEPT per priority, on the wall clock. */
  timeouts: OfferTimeouts;
  /** Fraction of the timeout after which the technician is reminded. */
  reminderRatio: number;
  /** P1 only: the offer is texted again every so many minutes until answered or timed out. */
  p1RepeatMinutes: number;
}

export const offerRulesSchema = z.strictObject({
  timeouts: perPriority(minutes),
  reminderRatio: z.number().gt(0).lt(1),
  p1RepeatMinutes: minutes,
});

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
export const calendarSchema = z.strictObject({ holidays: z.array(day).max(1000) });

export const loadWeightsSchema = perPriority(z.number().min(0).max(1000));

export const DEFAULT_OFFER_RULES: OfferRules = {
  timeouts: DEFAULT_OFFER_TIMEOUTS,
  reminderRatio: DEFAULT_REMINDER_RATIO,
  p1RepeatMinutes: 1,
};

/** Each rule: its schema and its default, seeded by migration 010 and used when a row is bad. */
export const RULES = {
  'priority-matrix': { schema: matrixSchema, default: DEFAULT_PRIORITY_MATRIX },
  'priority-keywords': { schema: keywordsSchema, default: DEFAULT_PRIORITY_KEYWORDS },
  'sla-targets': { schema: slaTargetsSchema, default: DEFAULT_SLA_TARGETS },
  /** Service requests' clocks (#17), apart from incidents'. */
  'request-sla-targets': { schema: slaTargetsSchema, default: DEFAULT_REQUEST_SLA_TARGETS },
  'offer-timeouts': { schema: offerRulesSchema, default: DEFAULT_OFFER_RULES },
  calendar: { schema: calendarSchema, default: { holidays: [] as string[] } },
  'load-weights': { schema: loadWeightsSchema, default: DEFAULT_LOAD_WEIGHTS },
} as const;

export type RuleName = keyof typeof RULES;
export const RULE_NAMES = Object.keys(RULES) as RuleName[];

export function isRuleName(name: string): name is RuleName {
  return Object.hasOwn(RULES, name);
}

const tier = z.union([z.literal(1), z.literal(2), z.literal(3)], { message: 'expected 1, 2 or 3' });
const skill = z.string().trim().toLowerCase().min(1).max(50);

const requiredSkills = z.array(skill).max(20);

/**
 * `PUT /api/categories/:name`: the name is in the path. The fields carry the names GET answers
 * (`skills`, `startTier`); `requiredSkills` and `startingTier`, the names PUT took first, are still
 * accepted so that scripts written against them keep working.
 */
export const categoryBody = z
  .strictObject({
    skills: requiredSkills.optional(),
    startTier: tier.optional(),
    requiredSkills: requiredSkills.meta({ description: 'the same as skills (an older name)' }).optional(),
    startingTier: tier.meta({ description: 'the same as startTier (an older name)' }).optional(),
    keywords: keywordList.default([]),
  })
  .transform((b, ctx) => {
    const skills = b.skills ?? b.requiredSkills;
    const startTier = b.startTier ?? b.startingTier;
    if (b.skills && b.requiredSkills)
      ctx.addIssue({ code: 'custom', path: ['requiredSkills'], message: 'give skills or requiredSkills, not both' });
    if (b.startTier && b.startingTier)
      ctx.addIssue({ code: 'custom', path: ['startingTier'], message: 'give startTier or startingTier, not both' });
    if (!skills) ctx.addIssue({ code: 'custom', path: ['skills'], message: 'required: the skills a technician needs for this category' });
    if (!startTier) ctx.addIssue({ code: 'custom', path: ['startTier'], message: 'required: 1, 2 or 3' });
    if (!skills || !startTier) return z.NEVER;
    return { skills, startTier, keywords: b.keywords };
  });

export const categoryName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_-]{0,49}$/, 'expected letters, digits, - or _ (at most 50)');
