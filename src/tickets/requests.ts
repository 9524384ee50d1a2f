import type { ApproverContact, Ticket, Watcher } from '../domain/ticket.js';
import type { Channel, Language, Level } from '../domain/values.js';
import { AppError } from '../errors.js';
import type { Approval, NewApproval } from '../store/approval-repository.js';
import type { CatalogField, CatalogItem } from '../store/catalog-repository.js';
import type { Notification } from '../store/outbox-repository.js';
import type { Store } from '../store/index.js';
import { openChildTasks } from './children.js';
import { within, type TicketDeps } from './deps.js';
import { recordTicket, type OpenTicketInput } from './open-ticket.js';

/**
 * A service request (#17): something asked for from the catalog. It is opened waiting for its
 * approvers (`awaiting_approval`: not routed, no SLA clock) and each of them is asked, by email and
 * by SMS, through the outbox; an item without approvers is approved at once. Approving, rejecting
 * and the child tasks are tickets/approvals.ts and tickets/children.ts.
 */

export type FieldValue = string | number | boolean;

export interface RequestInput {
  itemId: string;
  requester: { name?: string; email?: string; phone?: string; manager?: ApproverContact };
  fields: Record<string, FieldValue>;
  /** 'web' from the API, 'email', 'voice'. */
  channel: Channel;
  /** Default: the item's name, with the first field's value. */
  subject?: string;
  /** Default: the fields as "label: value" lines. */
  description?: string;
  language?: Language;
  /** A request is rarely urgent and concerns one person: impact low, urgency medium unless given. */
  impact?: Level;
  urgency?: Level;
  /** People who follow it (those an email request copied). */
  watchers?: Watcher[];
  /** The inbound message (an email, a call) the request comes from, recorded once by its external id. */
  message?: OpenTicketInput['message'];
  /** Extra facts for the creation event (a call's recording). */
  details?: Record<string, unknown>;
}

/** Who stands for the requester's manager when none is known: the coordinator, or nobody (the API decides). */
type ManagerStandIn = 'coordinator' | 'api';

/** What the request needs of people before it is worked. */
interface Approvers {
  asked: NewApproval[];
  /** Set when an item asked for the requester's manager and none was known. */
  managerUnknown?: ManagerStandIn;
}

/**
 * Opens a request: the fields checked against the item, the requester's manager recorded when the
 * API vouches for one, the ticket written waiting for approval (or `new` when the item needs none),
 * its approvers asked and the requester acknowledged, all in one transaction.
 */
export async function openRequest(deps: TicketDeps, input: RequestInput): Promise<Ticket> {
  const item = await deps.store.catalog.get(input.itemId);
  if (!item || !item.active) {
    throw new AppError('UNPROCESSABLE', `item: no active catalog item "${input.itemId}"`, { field: 'item' });
  }
  const fields = checkFields(item.fields, input.fields);
  // A redelivered email or call is answered without writing anything (openTicket does the same).
  if (input.message) {
    const seen = await deps.store.messages.ticketIdOf(input.channel, input.message.externalId);
    if (seen !== undefined) return existing(deps, seen);
  }
  try {
    return existing(deps, await openNew(deps, input, item, fields));
  } catch (err) {
    if (err instanceof Redelivered) return existing(deps, err.ticketId);
    throw err;
  }
}

/** Thrown to undo a request whose message was recorded meanwhile (a redelivery that raced the first). */
class Redelivered extends Error {
  constructor(readonly ticketId: string | null) {
    super('the request’s message was recorded before');
    this.name = 'Redelivered';
  }
}

async function existing(deps: TicketDeps, ticketId: string | null): Promise<Ticket> {
  const ticket = ticketId ? await deps.store.tickets.get(ticketId) : null;
  if (!ticket) throw new AppError('CONFLICT', 'this message was recorded before, without a ticket');
  return ticket;
}

async function openNew(deps: TicketDeps, input: RequestInput, item: CatalogItem, fields: Record<string, FieldValue>): Promise<string> {
  return deps.store.transaction(async (tx) => {
    const inner = within(deps, tx);
    const { manager, ...contact } = input.requester;
    const requester = await tx.requesters.findOrCreate({ ...contact, language: input.language ?? null });
    if (manager && (manager.email || manager.phone)) await tx.approvals.setManager(requester.id, manager);
    const approvers = await approversOf(deps, tx, item, requester.id, requester.language ?? input.language ?? deps.config.language);
    // No approver named in the item: nothing to wait for. One named but none reachable: the API decides.
    const waits = item.approvers.length > 0;
    const recorded = await recordTicket(inner, {
      channel: input.channel,
      subject: input.subject?.trim() || subjectOf(item, fields),
      description: input.description?.trim() || describe(item.fields, fields),
      requester: { ...contact, language: input.language ?? null },
      impact: input.impact ?? 'low',
      urgency: input.urgency ?? 'medium',
      category: item.category,
      request: { status: waits ? 'awaiting_approval' : 'new' },
      acknowledgement: { request: { itemId: item.id, itemName: item.name, awaitingApproval: waits } },
      ...(input.watchers?.length ? { watchers: input.watchers } : {}),
      ...(input.message ? { message: input.message } : {}),
      details: {
        type: 'request',
        item: item.id,
        ...(approvers.managerUnknown ? { managerUnknown: approvers.managerUnknown } : {}),
        ...input.details,
      },
    });
    // Recorded meanwhile by a redelivery: throwing undoes what this transaction wrote.
    if (!recorded.created) throw new Redelivered(recorded.ticketId);
    const ticket = recorded.state;
    const asked = await tx.approvals.record({ ticketId: ticket.id, itemId: item.id, fields, approval: item.approval }, approvers.asked);
    await tx.outbox.add(asked.flatMap((approval) => askApprover(approval, ticket, item)));
    if (!waits) await openChildTasks(inner, ticket, item.tasks);
    return ticket.id;
  });
}

/** The item's approvers as people: its `{manager: true}` is the requester's manager, else a stand-in. */
async function approversOf(deps: TicketDeps, tx: Store, item: CatalogItem, requesterId: string, language: Language): Promise<Approvers> {
  const asked: NewApproval[] = [];
  let managerUnknown: ManagerStandIn | undefined;
  const seen = new Set<string>();
  const add = (approver: ApproverContact) => {
    const key = `${approver.email?.toLowerCase() ?? ''}|${approver.phone ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    asked.push({ approver, language });
  };
  for (const approver of item.approvers) {
    if (!('manager' in approver)) {
      if (approver.email || approver.phone) add(approver);
      continue;
    }
    const manager = await tx.approvals.managerOf(requesterId);
    if (manager) {
      add(manager);
      continue;
    }
    // Nobody known to ask for the manager: the coordinator is asked instead, or the API alone decides.
    const { email, phone } = deps.config.coordinator;
    if (email || phone) {
      managerUnknown = 'coordinator';
      add({ name: 'coordinator', ...(email ? { email } : {}), ...(phone ? { phone } : {}) });
    } else managerUnknown = 'api';
  }
  return managerUnknown ? { asked, managerUnknown } : { asked };
}

/**
 * One outbox row per approver and channel; the notifier renders it (its links, the YES/NO
 * instructions). Keyed by the approval and channel: a retried write asks nobody twice.
 */
function askApprover(approval: Approval, ticket: { id: string; number: number; subject: string }, item: CatalogItem): Notification[] {
  const payload = { approvalId: approval.id, number: ticket.number, subject: ticket.subject, itemId: item.id, itemName: item.name };
  const row = (channel: 'email' | 'sms', recipient: string): Notification => ({
    idempotencyKey: `approval:${approval.id}:${channel}`,
    ticketId: ticket.id,
    kind: 'approver.request',
    channel,
    recipient,
    language: approval.language,
    payload,
  });
  return [
    ...(approval.approver.email ? [row('email', approval.approver.email)] : []),
    ...(approval.approver.phone ? [row('sms', approval.approver.phone)] : []),
  ];
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
const PHONE = /^\+[1-9]\d{6,14}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function refuse(name: string, why: string): never {
  throw new AppError('UNPROCESSABLE', `fields.${name}: ${why}`, { field: `fields.${name}` });
}

/** The fields as the item asks them: each known, of its type, the required ones given; strings trimmed. */
function checkFields(wanted: readonly CatalogField[], given: Record<string, FieldValue>): Record<string, FieldValue> {
  const known = new Map(wanted.map((f) => [f.name, f]));
  for (const name of Object.keys(given)) if (!known.has(name)) refuse(name, 'this item has no such field');
  const out: Record<string, FieldValue> = {};
  for (const field of wanted) {
    const raw = given[field.name];
    const value = typeof raw === 'string' ? raw.trim() : raw;
    if (value === undefined || value === '') {
      if (field.required) refuse(field.name, `required ("${field.label}")`);
      continue;
    }
    out[field.name] = checkValue(field, value);
  }
  return out;
}

function checkValue(field: CatalogField, value: FieldValue): FieldValue {
  if (field.type === 'boolean') {
    if (typeof value !== 'boolean') refuse(field.name, 'expected true or false');
    return value;
  }
  if (typeof value !== 'string') refuse(field.name, 'expected text');
  switch (field.type) {
    case 'email':
      if (!EMAIL.test(value)) refuse(field.name, 'expected an email address');
      break;
    case 'phone':
      if (!PHONE.test(value)) refuse(field.name, 'expected a phone number in E.164 (+33612345678)');
      break;
    case 'date':
      if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) refuse(field.name, 'expected a date, YYYY-MM-DD');
      break;
    case 'choice':
      if (!(field.options ?? []).includes(value)) refuse(field.name, `expected one of: ${(field.options ?? []).join(', ')}`);
      break;
    default:
      break;
  }
  return value;
}

/** "Access to an application: SAP", the item's name with its first field's value when it is short text. */
function subjectOf(item: CatalogItem, fields: Record<string, FieldValue>): string {
  const first = item.fields[0];
  const value = first ? fields[first.name] : undefined;
  const main = typeof value === 'string' && first?.type !== 'textarea' ? value.split('\n')[0]?.slice(0, 120) : undefined;
  return main ? `${item.name}: ${main}` : item.name;
}

/** The fields as "label: value" lines, in the item's order. */
function describe(wanted: readonly CatalogField[], fields: Record<string, FieldValue>): string {
  return wanted
    .filter((f) => fields[f.name] !== undefined)
    .map((f) => `${f.label}: ${String(fields[f.name])}`)
    .join('\n');
}
