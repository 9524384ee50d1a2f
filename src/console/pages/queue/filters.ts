import { z } from 'zod';
import { CHANNELS, PRIORITIES, STATUSES, TICKET_TYPES } from '../../../domain/values.js';

export const PAGE_SIZE = 50;

/** A select left on "any" sends an empty value: the same as not filtering. */
const blankAsUnset = (v: unknown) => (v === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankAsUnset, schema.optional());

/**
 * The queue's filters as the GET form sends them (so a filtered queue is a URL that can be kept
 * or shared). Unknown parameters (`lang`) are ignored, not refused. Checkboxes repeat `status`.
 */
export const queueQuery = z.object({
  status: z
    .preprocess((v): unknown[] => (v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v]), z.array(z.enum(STATUSES)))
    .default([]),
  priority: optional(z.enum(PRIORITIES)),
  channel: optional(z.enum(CHANNELS)),
  type: optional(z.enum(TICKET_TYPES)),
  category: optional(z.string().trim().max(100)),
  assignee: optional(z.union([z.literal('none'), z.uuid()])),
  q: optional(z.string().trim().max(200)),
  page: optional(z.coerce.number().int().min(1).max(100_000)),
});

export type QueueQuery = z.infer<typeof queueQuery>;

/** The filters as query parameters, in the form's order: for the pages' links. */
export function filterParams(query: QueueQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const status of query.status) params.append('status', status);
  for (const key of ['priority', 'channel', 'type', 'category', 'assignee', 'q'] as const) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  return params;
}

/** The queue at another page, with the same filters. */
export function pageHref(query: QueueQuery, page: number): string {
  const params = filterParams(query);
  if (page > 1) params.set('page', String(page));
  const search = params.toString();
  return search ? `/?${search}` : '/';
}
