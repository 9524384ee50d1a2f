import { z } from 'zod';
import { CHANNELS, LEVELS, PRIORITIES, STATUSES, TICKET_TYPES, type TicketStatus } from '../domain/values.js';

/** Input shapes of the REST API. `strictObject`: an unknown field is an error that names it. */

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const level = z.enum(LEVELS, { message: 'expected one of high, medium, low' });

/**
 * E.164 (ITU-T): `+`, a country code that does not start with 0, at most 15 digits in all. Spaces,
 * dots, dashes and parentheses as people write them are dropped; a national number (`0612345678`)
 * is refused, since SMS and calls need the country.
 */
export const phone = z
  .string()
  .max(40, 'expected a phone number in E.164 form, e.g. +33612345678')
  .transform((raw) => raw.replace(/[\s.()-]/g, ''))
  .pipe(
    z
      .string()
      .regex(/^\+[1-9][0-9]{7,14}$/, 'expected a phone number in E.164 form: + and the country code, 8 to 15 digits, e.g. +33612345678'),
  );

/**
 * One value, a comma-separated list (`status=new,assigned`) or the parameter repeated
 * (`status=new&status=assigned`): the set of values asked for.
 */
function oneOrMany<const T extends readonly [string, ...string[]]>(values: T, aliases: Record<string, readonly T[number][]> = {}) {
  const known = [...values, ...Object.keys(aliases)];
  const isValue = (v: string): v is T[number] => values.includes(v);
  return z
    .union([z.string(), z.array(z.string())])
    .transform((raw, ctx) => {
      const asked = (Array.isArray(raw) ? raw : [raw])
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter((v) => v !== '');
      const out = new Set<T[number]>();
      for (const v of asked) {
        const expanded = aliases[v] ?? (isValue(v) ? [v] : null);
        if (!expanded) {
          ctx.addIssue({ code: 'custom', message: `expected one or more of ${known.join(', ')}, comma-separated` });
          return z.NEVER;
        }
        for (const e of expanded) out.add(e);
      }
      return [...out];
    })
    .meta({ description: `one value, several comma-separated, or the parameter repeated: ${known.join(', ')}` });
}

/** `status=open`: everything still waiting on the desk. */
const OPEN_STATUSES: readonly TicketStatus[] = STATUSES.filter((s) => s !== 'resolved' && s !== 'closed');

const technicianId = z.union([z.literal('none'), z.uuid()], { message: 'expected a technician id or none' });

export const ticketListQuery = z
  .strictObject({
    status: oneOrMany(STATUSES, { open: OPEN_STATUSES })
      .meta({ description: 'one or more statuses (comma-separated or repeated); `open` means every status but resolved and closed' })
      .optional(),
    priority: oneOrMany(PRIORITIES).optional(),
    channel: oneOrMany(CHANNELS).optional(),
    type: oneOrMany(TICKET_TYPES).meta({ description: 'incident, request (a service request or one of its tasks), or both' }).optional(),
    assignee: technicianId.optional(),
    /** The name PATCH takes, accepted here as well. */
    assigneeId: technicianId.meta({ description: 'the same as assignee' }).optional(),
    q: z
      .string()
      .trim()
      .max(200)
      .meta({ description: 'words of the subject or description, a number, a reference, or the requester’s email or phone' })
      .optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .refine((q) => !q.assignee || !q.assigneeId || q.assignee === q.assigneeId, {
    message: 'assignee and assigneeId are the same filter: give one',
    path: ['assigneeId'],
  })
  .transform(({ assigneeId, assignee, ...rest }) => {
    const who = assignee ?? assigneeId;
    return { ...rest, ...(who ? { assignee: who } : {}) };
  });

/** A page of a list, newest first: `limit` up to 200 as on /api/tickets. */
export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const createTicketBody = z.strictObject({
  subject: text(300),
  description: z.string().max(50_000).default(''),
  requester: z
    .strictObject({
      name: z.string().trim().max(200).optional(),
      email: z.email({ message: 'expected an email address' }).optional(),
      phone: phone.optional(),
    })
    .refine((r) => r.email || r.phone, { message: 'needs an email or a phone' }),
  impact: level.optional(),
  urgency: level.optional(),
  category: z.string().trim().min(1).optional(),
});

const assigneeField = z.uuid({ message: 'expected a technician id' }).nullable();

export const patchTicketBody = z
  .strictObject({
    status: z.enum(STATUSES).optional(),
    priority: z.enum(PRIORITIES).optional(),
    impact: level.optional(),
    urgency: level.optional(),
    category: z.string().trim().min(1).nullable().optional(),
    assigneeId: assigneeField.optional(),
    /** The name the list filter takes, accepted here as well. */
    assignee: assigneeField.meta({ description: 'the same as assigneeId' }).optional(),
  })
  .refine((b) => b.assignee === undefined || b.assigneeId === undefined || b.assignee === b.assigneeId, {
    message: 'assignee and assigneeId are the same field: give one',
    path: ['assignee'],
  })
  .transform(({ assignee, assigneeId, ...rest }) => {
    const who = assigneeId !== undefined ? assigneeId : assignee;
    return { ...rest, ...(who !== undefined ? { assigneeId: who } : {}) };
  });

export const noteBody = z.strictObject({ body: text(10_000), internal: z.boolean().default(true) });
// A blank reply is a 422 of the use case (the console shows it next to the field), not a 400.
export const replyBody = z.strictObject({ body: z.string().max(10_000) });
export const escalateBody = z.strictObject({ reason: text(2_000) });
// The resolution may be missing or blank here: that is a 422 of the lifecycle, not a 400.
export const resolveBody = z.strictObject({ resolution: z.string().max(10_000).optional(), articleId: z.uuid().optional() });
export const reopenBody = z.strictObject({ reason: z.string().max(2_000).optional() });
export const emptyBody = z.strictObject({});

const skills = z.array(z.string().trim().toLowerCase().min(1).max(50)).max(50);
const shift = z.string().trim().min(1).max(200);

const technicianFields = {
  name: text(200),
  email: z.email({ message: 'expected an email address' }).nullable().optional(),
  phone: phone.nullable().optional(),
  language: z.enum(['fr', 'en']).optional(),
  tier: z.union([z.literal(1), z.literal(2), z.literal(3)], { message: 'expected 1, 2 or 3' }),
  skills,
  maxLoad: z.number().int().min(0).max(1000),
  available: z.boolean(),
  onCall: z.boolean(),
  shift: shift.nullable().optional(),
};

export const technicianBody = z.strictObject({
  ...technicianFields,
  skills: skills.default([]),
  maxLoad: technicianFields.maxLoad.default(5),
  available: technicianFields.available.default(true),
  onCall: technicianFields.onCall.default(false),
});

// Built without defaults: a field left out of a PATCH must stay as it is, not fall back to one.
export const technicianPatchBody = z.strictObject(technicianFields).partial();

/** An outage's text in another language: the voice menu says this title to callers of that language. */
const outageTranslation = z.strictObject({ title: text(200), message: text(2_000) });

export const outageBody = z.strictObject({
  title: text(200),
  message: text(2_000),
  translations: z.strictObject({ fr: outageTranslation.optional(), en: outageTranslation.optional() }).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).nullable().optional(),
  category: z.string().trim().toLowerCase().min(1).max(50).optional(),
});

/** A moment, or a day alone (`2026-01-01`, what people type), read in HELPDESK_TIMEZONE by the route. */
const momentOrDay = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  message: 'expected a date (2026-01-31) or a date and time with its offset (2026-01-31T08:00:00Z)',
});

export const statsQuery = z.strictObject({
  from: momentOrDay.meta({ description: 'a day alone means from its start, in HELPDESK_TIMEZONE' }).optional(),
  to: momentOrDay.meta({ description: 'a day alone means to its end, in HELPDESK_TIMEZONE' }).optional(),
});

/** Ids of technicians and outages are uuids: anything else is a 400 naming it, not a database error. */
export const uuidParams = z.strictObject({ id: z.uuid({ message: 'expected an id of the form 6f1c…-…, as the API returns it' }) });
