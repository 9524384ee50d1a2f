import type { Sequelize } from 'sequelize';
import type { Ticket } from '../domain/ticket.js';
import { reference, type Channel, type Priority, type TicketStatus, type TicketType } from '../domain/values.js';
import type { Bind } from './handle.js';

/** A ticket model attribute and its column. */
interface TicketColumn {
  name: string;
  field: string;
}

// Per database, computed once: a transaction builds its repositories again, and a cache in a
// repository's closure would be computed again with them. Keyed by the omitted attributes.
const columnCache = new WeakMap<Sequelize, Map<string, TicketColumn[]>>();
const listCache = new WeakMap<Sequelize, Map<string, string>>();

/**
 * The ticket row's columns under the names the lifecycle's state uses, for the plain statements on
 * hot paths that return rows shaped as the model would, without building model instances.
 */
function ticketColumns(sequelize: Sequelize, omit: readonly string[] = []): TicketColumn[] {
  const key = omit.join(',');
  let cached = columnCache.get(sequelize);
  if (!cached) columnCache.set(sequelize, (cached = new Map<string, TicketColumn[]>()));
  let columns = cached.get(key);
  if (!columns) {
    columns = Object.entries(sequelize.model('Ticket').getAttributes())
      .filter(([name]) => !omit.includes(name))
      .map(([name, a]) => ({ name, field: a.field ?? name }));
    cached.set(key, columns);
  }
  return columns;
}

/** `alias."column" AS "name", …` for a select list or a RETURNING clause. */
const selectList = (columns: readonly TicketColumn[], alias: string) =>
  columns.map(({ name, field }) => `${alias}."${field}" AS "${name}"`).join(', ');

/** selectList of ticketColumns, once per database, alias and omission. */
export function ticketSelectList(sequelize: Sequelize, alias: string, omit: readonly string[] = []): string {
  const key = `${alias} ${omit.join(',')}`;
  let cached = listCache.get(sequelize);
  if (!cached) listCache.set(sequelize, (cached = new Map<string, string>()));
  let list = cached.get(key);
  if (list === undefined) cached.set(key, (list = selectList(ticketColumns(sequelize, omit), alias)));
  return list;
}

/**
 * One SELECT that returns tickets in the contract's shape, requester, assignee and watchers
 * included, so that a list page costs one round trip whatever its length.
 */
export const TICKET_SELECT = `
  SELECT t.*,
         r.name AS r_name, r.emails AS r_emails, r.phones AS r_phones,
         a.name AS a_name,
         coalesce((SELECT json_agg(json_strip_nulls(json_build_object('email', w.email, 'phone', w.phone)))
                     FROM ticket_watchers w WHERE w.ticket_id = t.id), '[]'::json) AS watchers
    FROM tickets t
    JOIN requesters r ON r.id = t.requester_id
    LEFT JOIN technicians a ON a.id = t.assignee_id`;

export interface TicketJoinedRow {
  id: string;
  number: number;
  type: Ticket['type'];
  channel: Ticket['channel'];
  status: Ticket['status'];
  priority: Ticket['priority'];
  impact: Ticket['impact'];
  urgency: Ticket['urgency'];
  category: string | null;
  tier: Ticket['tier'];
  subject: string;
  description: string;
  requester_id: string;
  assignee_id: string | null;
  outage_id: string | null;
  linked_ticket_id: string | null;
  parent_id: string | null;
  resolution: string | null;
  respond_by: Date | null;
  resolve_by: Date | null;
  responded_at: Date | null;
  breached: boolean;
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
  closed_at: Date | null;
  r_name: string | null;
  r_emails: string[];
  r_phones: string[];
  a_name: string | null;
  watchers: Ticket['watchers'];
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toTicket(row: TicketJoinedRow): Ticket {
  return {
    id: row.id,
    number: row.number,
    reference: reference(row.number),
    type: row.type,
    channel: row.channel,
    status: row.status,
    priority: row.priority,
    impact: row.impact,
    urgency: row.urgency,
    category: row.category,
    tier: row.tier,
    subject: row.subject,
    description: row.description,
    requester: {
      id: row.requester_id,
      name: row.r_name,
      email: row.r_emails[0] ?? null,
      phone: row.r_phones[0] ?? null,
    },
    assignee: row.assignee_id ? { id: row.assignee_id, name: row.a_name ?? '' } : null,
    watchers: row.watchers,
    sla: {
      respondBy: iso(row.respond_by),
      resolveBy: iso(row.resolve_by),
      respondedAt: iso(row.responded_at),
      breached: row.breached,
    },
    outageId: row.outage_id,
    linkedTicketId: row.linked_ticket_id,
    parentId: row.parent_id,
    resolution: row.resolution,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    resolvedAt: iso(row.resolved_at),
    closedAt: iso(row.closed_at),
  };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `1042` or `HD-1042` → the number to look for; anything else is no ticket number. */
export function numberOf(key: string): { number: number } | null {
  const match = /^(?:HD-)?(\d{1,15})$/i.exec(key);
  return match ? { number: Number(match[1]) } : null;
}

/**
 * The list's `q`: words of the subject or description, a number or reference, the requester's
 * name or email, or their phone as people type it (`06 12 34 56 78` finds `+33612345678`: the
 * separators, the `+` and a national leading 0 are dropped and the remaining digits looked for).
 * In two halves, one on the ticket `t` and one on its requester `r`: a list ORs them over a join,
 * the queue looks each half up by its own index and unites the ids. `joined_words` (migration 063)
 * is array_to_string declared immutable, so that requesters' emails and phones can be indexed.
 */
export interface SearchTerms {
  ticket: string;
  requester: string;
}

function searchTerms(q: string): SearchTerms & { bind: Bind } {
  const trimmed = q.trim();
  const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const bind: Bind = { q: like(trimmed) };
  const onTicket = ['t.subject ILIKE $q', 't.description ILIKE $q'];
  const onRequester = ['r.name ILIKE $q', 'joined_words(r.emails) ILIKE $q'];
  const byNumber = numberOf(trimmed);
  if (byNumber) {
    bind.qNumber = byNumber.number;
    onTicket.push('t.number = $qNumber');
  }
  // Dialled digits: a `+` or a leading 0 says phone; so do 8 digits or more (ticket numbers are shorter for long).
  const dialled = trimmed.replace(/[\s.()-]/g, '');
  const digits = dialled.replace(/^\+?0*/, '');
  if (/^\+?[0-9]{4,15}$/.test(dialled) && digits.length >= 4 && (dialled.length !== digits.length || digits.length >= 8)) {
    bind.qPhone = like(digits);
    onRequester.push('joined_words(r.phones) LIKE $qPhone');
  }
  return { ticket: `(${onTicket.join(' OR ')})`, requester: `(${onRequester.join(' OR ')})`, bind };
}

/** What a list of tickets may be narrowed by. Each list is "any of these"; an empty or absent list does not filter. */
export interface TicketFilterFields {
  status?: readonly TicketStatus[];
  priority?: readonly Priority[];
  channel?: readonly Channel[];
  type?: readonly TicketType[];
  category?: string;
  /** A technician's id, or `none` for the unassigned. */
  assignee?: string;
  q?: string;
  requesterId?: string;
}

/**
 * The WHERE clauses of a filter, shared by the API's list and the console's queue so that a filter
 * means the same on both. The clauses read the ticket `t` only; the search (`q`), when asked, comes
 * apart as its two halves (see searchTerms) for the statement to combine.
 */
export function filterClauses(filter: TicketFilterFields): { clauses: string[]; bind: Bind; search: SearchTerms | null } {
  const clauses: string[] = [];
  const bind: Bind = {};
  const where = (clause: string, name: string, value: unknown) => {
    clauses.push(clause);
    bind[name] = value;
  };
  if (filter.status?.length) where('t.status = ANY(CAST($status AS text[]))', 'status', filter.status);
  if (filter.priority?.length) where('t.priority = ANY(CAST($priority AS text[]))', 'priority', filter.priority);
  if (filter.channel?.length) where('t.channel = ANY(CAST($channel AS text[]))', 'channel', filter.channel);
  if (filter.type?.length) where('t.type = ANY(CAST($type AS text[]))', 'type', filter.type);
  if (filter.category) where('t.category = $category', 'category', filter.category);
  if (filter.requesterId) where('t.requester_id = $requesterId', 'requesterId', filter.requesterId);
  if (filter.assignee === 'none') clauses.push('t.assignee_id IS NULL');
  else if (filter.assignee) where('t.assignee_id = $assignee', 'assignee', filter.assignee);
  if (!filter.q) return { clauses, bind, search: null };
  const { bind: searchBind, ...search } = searchTerms(filter.q);
  return { clauses, bind: { ...bind, ...searchBind }, search };
}
