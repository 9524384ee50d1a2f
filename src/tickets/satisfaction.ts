import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import { applyChange } from './apply-change.js';
import type { TicketDeps } from './deps.js';
import type { Ticket } from '../domain/ticket.js';

/**
 * The one-question survey sent with the closing message ("reply 1 to 5"). The SMS and email intakes
 * ask findSurveyTicket whether a bare digit from this person answers one, then recordSatisfaction.
 */

/** How long after closing a bare digit still counts as the answer. */
export const SURVEY_WINDOW_DAYS = 14;

export type SurveyScore = 1 | 2 | 3 | 4 | 5;

export async function recordSatisfaction(deps: TicketDeps, ticketId: string, score: SurveyScore, via: 'sms' | 'email'): Promise<Ticket> {
  if (!Number.isInteger(score) || score < 1 || score > 5) {
    throw new AppError('VALIDATION_FAILED', 'score: expected a whole number from 1 to 5', { field: 'score' });
  }
  const current = await deps.store.tickets.get(ticketId);
  if (!current) throw new AppError('TICKET_NOT_FOUND', 'no such ticket');
  return applyChange(deps, ticketId, `requester:${current.requester.id}`, (ticket) => {
    if (ticket.status !== 'closed' && ticket.status !== 'resolved') {
      throw new AppError('ILLEGAL_TRANSITION', `only a resolved or closed ticket is rated; this one is ${ticket.status}`);
    }
    return { changes: { satisfaction: score }, events: [{ type: 'satisfaction', data: { score, via } }] };
  });
}

export interface SurveyContact {
  email?: string | null;
  phone?: string | null;
}

/**
 * The ticket a bare 1–5 from this person answers: their most recently closed ticket, closed within
 * the survey window and not rated yet. Null when there is none (the digit means something else).
 */
export async function findSurveyTicket(store: Store, contact: SurveyContact): Promise<Ticket | null> {
  const email = contact.email?.trim().toLowerCase() || null;
  const phone = contact.phone?.trim() || null;
  if (!email && !phone) return null;
  const id = await store.surveys.awaitingScore({ email, phone }, SURVEY_WINDOW_DAYS);
  return id ? store.tickets.get(id) : null;
}
