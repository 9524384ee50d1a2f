import { z } from 'zod';
import { CHANNELS, LEVELS, PRIORITIES, STATUSES } from '../domain.js';

/** Input shapes of the REST API. `strictObject`: an unknown field is an error that names it. */

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const level = z.enum(LEVELS, { message: 'expected one of high, medium, low' });
const phone = z.string().trim().regex(/^\+?[0-9 ().-]{6,20}$/, 'expected a phone number, e.g. +33612345678');

export const ticketListQuery = z.strictObject({
  status: z.enum(STATUSES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  channel: z.enum(CHANNELS).optional(),
  assignee: z.union([z.literal('none'), z.uuid()], { message: 'expected a technician id or none' }).optional(),
  q: z.string().trim().max(200).optional(),
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

export const patchTicketBody = z.strictObject({
  status: z.enum(STATUSES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  impact: level.optional(),
  urgency: level.optional(),
  category: z.string().trim().min(1).nullable().optional(),
  assigneeId: z.uuid({ message: 'expected a technician id' }).nullable().optional(),
});

export const noteBody = z.strictObject({ body: text(10_000), internal: z.boolean().default(true) });
export const escalateBody = z.strictObject({ reason: text(2_000) });
// The resolution may be missing or blank here: that is a 422 of the lifecycle, not a 400.
export const resolveBody = z.strictObject({ resolution: z.string().max(10_000).optional() });
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

export const outageBody = z.strictObject({
  title: text(200),
  message: text(2_000),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).nullable().optional(),
  category: z.string().trim().min(1).optional(),
});

export const statsQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
