import { DateTime } from 'luxon';
import { z } from 'zod';
import { parseBusinessHours } from '../config/business-hours.js';
import { CHANNELS, PRIORITIES, TIERS } from '../domain/values.js';
import { parseShift } from '../rules/offers.js';
import { calendarSchema, loadWeightsSchema, offerRulesSchema, slaTargetsSchema } from '../rules/rules-schemas.js';

/**
 * A scenario file, as the contract names it, with a few optional additions (marked): a technician
 * `count` (so 200 alike need not be written out), the desk's `timezone` and `businessHours` (the SLA
 * clocks), and `offers` (how technicians answer an offer). Unknown fields are refused so that a typo
 * is not silently a default.
 */
const hoursText = (what: string) =>
  z
    .string()
    .max(500)
    .refine(
      (s) => {
        try {
          parseBusinessHours(s);
          return true;
        } catch {
          return false;
        }
      },
      { message: `${what}: expected "always" or e.g. "mon-fri 08:00-18:00"` },
    );

const rate = z.number().finite().min(0).max(100_000);

const arrival = z
  .object({
    channel: z.enum(CHANNELS),
    category: z.string().trim().min(1).max(100),
    priority: z.enum(PRIORITIES),
    /** Poisson rate per hour: one number, or 168 from Monday 00:00. */
    perHour: z.union([rate, z.array(rate).length(168)]),
    /** Mean of an exponential handling time. */
    handlingSeconds: z
      .number()
      .finite()
      .positive()
      .max(30 * 86_400),
  })
  .strict();

const technician = z
  .object({
    name: z.string().trim().min(1).max(200),
    tier: z.union(TIERS.map((t) => z.literal(t))),
    skills: z.array(z.string().trim().min(1).max(100)).max(50),
    maxLoad: z.number().int().min(1).max(1000),
    shift: hoursText('shift').nullable().optional(),
    /** Added: this many technicians alike ("name 1", "name 2", …). */
    count: z.number().int().min(1).max(10_000).optional(),
  })
  .strict();

export const scenarioSchema = z
  .object({
    days: z.number().positive().max(366),
    seed: z.number().int().optional(),
    arrivals: z.array(arrival).min(1).max(10_000),
    technicians: z.array(technician).min(1).max(10_000),
    /** How long a technician has to accept an offer; absent: the gateway's defaults per priority. */
    offerTimeoutSeconds: z.number().positive().max(86_400).optional(),
    /** Added: how offers are answered; absent, an offer is taken at once. */
    offers: z
      .object({
        meanAcceptSeconds: z.number().positive().max(86_400).optional(),
        declineProbability: z.number().min(0).max(1).optional(),
      })
      .strict()
      .optional(),
    /** Added: the desk's category table (skills a category needs, its starting tier); absent: the gateway's default table. */
    categories: z
      .array(
        z
          .object({
            name: z.string().trim().min(1).max(100),
            skills: z.array(z.string().trim().min(1).max(100)).max(50),
            startTier: z.union(TIERS.map((t) => z.literal(t))),
          })
          .strict(),
      )
      .max(1000)
      .optional(),
    /**
     * Added: the desk's routing rules where they differ from the gateway's defaults, with the
     * gateway's own schemas (what --from-desk copies from the desk's settings).
     */
    rules: z
      .object({
        slaTargets: slaTargetsSchema.optional(),
        offerTimeoutMinutes: offerRulesSchema.shape.timeouts.optional(),
        loadWeights: loadWeightsSchema.optional(),
        holidays: calendarSchema.shape.holidays.optional(),
      })
      .strict()
      .optional(),
    /** Added: the desk's zone (shifts, business hours, hour of week); default UTC. */
    timezone: z
      .string()
      .refine((zone) => DateTime.fromMillis(0, { zone }).isValid, { message: 'unknown time zone' })
      .optional(),
    /** Added: the desk's business hours for the SLA clocks (P1 runs around the clock); default always. */
    businessHours: hoursText('businessHours').optional(),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;

const MAX_TECHNICIANS = 20_000;
const MAX_TICKETS = 5_000_000;

/** The scenario, or an error whose message names the field at fault (`arrivals.0.perHour: …`). */
export function parseScenario(input: unknown): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.map(String).join('.') || 'scenario';
    throw new Error(`scenario: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  // Parsed here once so that a shift the gateway could not read fails before the run, not inside it.
  for (const t of result.data.technicians) parseShift(t.shift);
  // A run holds every ticket in memory: a misplaced zero must be an error, not an hour of swapping.
  const technicians = result.data.technicians.reduce((n, t) => n + (t.count ?? 1), 0);
  if (technicians > MAX_TECHNICIANS)
    throw new Error(`scenario: technicians: ${technicians} in all; at most ${MAX_TECHNICIANS.toLocaleString('en')}`);
  const perWeek = result.data.arrivals.reduce(
    (n, a) => n + (typeof a.perHour === 'number' ? a.perHour * 168 : a.perHour.reduce((x, y) => x + y, 0)),
    0,
  );
  const tickets = Math.round((perWeek / 7) * result.data.days);
  if (tickets > MAX_TICKETS)
    throw new Error(
      `scenario: arrivals: about ${tickets.toLocaleString('en')} tickets; at most ${MAX_TICKETS.toLocaleString('en')} per run`,
    );
  return result.data;
}
