import type { Store } from '../store/index.js';
import type { OutboxItem, RenderedContent } from '../store/outbox-deliveries.js';
import { createMessageId } from './channels/smtp-mail.js';
import { ComposeError, composeMessage, VERBATIM_SMS_KIND, type Facts } from './compose.js';
import { PERSONAL_KINDS, REPLY_KINDS } from '../tickets/recipients.js';
import { threadHeaders } from './thread.js';
import { maskedOfferLink, type OfferLinks } from './offer-link.js';
import { maskedArticleLinks, type ArticleLinks } from './article-link.js';
import { maskedApprovalLink, type ApprovalLinks } from './approval-link.js';

/**
 * The content of one outbox row, rendered once and stored on the row before the first send (see
 * deliver.ts): the facts it needs are read here, the words come from compose.ts.
 */

export interface ContentOptions {
  /** MAIL_FROM: its domain names our Message-IDs. */
  mailFrom: string;
  /** HELPDESK_TIMEZONE, for dates in the text. */
  timeZone: string;
  /** Where an offer's SMS links to, and the secret of its code; without it, offers go without a link. */
  offerLinks?: OfferLinks | undefined;
  /** Where the articles a new ticket's acknowledgement suggests link to, and the secret of their codes. */
  articleLinks?: ArticleLinks | undefined;
  /** Where an approver answers a request, and the secret of the codes (approval-link.ts). */
  approvalLinks?: ApprovalLinks | undefined;
}

/** The rows about a request's approval: they name the item and the approvers (#17). */
const REQUEST_KINDS: readonly string[] = ['approver.request', 'approver.reminder', 'coordinator.approval-overdue'];

/**
 * RFC 3834: an answer to the requester's own message is auto-replied, the rest of what the desk
 * sends on its own auto-generated; a message a person wrote carries no Auto-Submitted at all.
 */
function autoSubmittedOf(kind: string): 'auto-replied' | 'auto-generated' | undefined {
  if (PERSONAL_KINDS.includes(kind)) return undefined;
  return REPLY_KINDS.includes(kind) ? 'auto-replied' : 'auto-generated';
}

const addressList = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((a): a is string => typeof a === 'string' && a.trim() !== '') : [];

/** The To and Cc a row's header shows when they are more than its one recipient (a person's reply). */
function addresseesOf(payload: Record<string, unknown>): { to: string[]; cc: string[] } | null {
  const to = addressList(payload.to);
  return to.length > 0 ? { to, cc: addressList(payload.cc) } : null;
}

async function loadFacts(store: Store, row: OutboxItem): Promise<Facts> {
  if (!row.ticketId) return { ticket: null, cause: null };
  const causeId = row.payload.causeId;
  // The cause is an event id for lifecycle changes; other writers (an inbound message) use other ids.
  const eventId = typeof causeId === 'string' && /^\d{1,18}$/.test(causeId) ? causeId : undefined;
  const cause = eventId ? store.notificationFacts.cause(row.ticketId, eventId) : Promise.resolve(null);
  if (REQUEST_KINDS.includes(row.kind)) {
    const [ticket, caused, request, approvals] = await Promise.all([
      store.tickets.get(row.ticketId),
      cause,
      store.approvals.request(row.ticketId),
      store.approvals.forTicket(row.ticketId),
    ]);
    return { ticket, cause: caused, request: request ? { item: { name: request.itemName }, fields: request.fields, approvals } : null };
  }
  const [ticket, caused] = await Promise.all([store.tickets.get(row.ticketId), cause]);
  return { ticket, cause: caused };
}

/** Renders the row for its channel; a ComposeError when it cannot be (retrying would not help). */
export async function renderContent(store: Store, row: OutboxItem, options: ContentOptions): Promise<RenderedContent> {
  if (row.kind === VERBATIM_SMS_KIND) {
    const text = row.payload.text;
    if (row.channel !== 'sms') throw new ComposeError(`${VERBATIM_SMS_KIND} goes by SMS only`);
    if (typeof text !== 'string' || text.trim() === '') throw new ComposeError(`${VERBATIM_SMS_KIND} without a text`);
    return { sms: text };
  }
  const facts = await loadFacts(store, row);
  const rendered = composeMessage(
    row,
    facts,
    options.timeZone,
    maskedOfferLink(options.offerLinks, row, facts.cause?.type),
    maskedArticleLinks(options.articleLinks, row.payload),
    maskedApprovalLink(options.approvalLinks, row),
  );
  if (row.channel === 'sms') return { sms: rendered.sms };
  const thread = row.ticketId ? threadHeaders(await store.notificationFacts.emailThread(row.ticketId, row.recipient)) : { references: [] };
  const autoSubmitted = autoSubmittedOf(row.kind);
  const addressees = addresseesOf(row.payload);
  return {
    email: {
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      messageId: createMessageId(options.mailFrom),
      ...(thread.inReplyTo ? { inReplyTo: thread.inReplyTo } : {}),
      references: thread.references,
      ...(addressees ? { to: addressees.to, cc: addressees.cc } : {}),
      ...(autoSubmitted ? { autoSubmitted } : {}),
    },
  };
}
