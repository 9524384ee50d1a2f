import type { Config } from '../../config/index.js';
import { reference, type Language } from '../../domain/values.js';
import type { Store } from '../../store/index.js';
import { answerApproval, type ApprovalOutcome } from '../../tickets/approvals.js';
import type { TicketDeps } from '../../tickets/deps.js';
import type { ApprovalCommand } from './approval-commands.js';
import { recordCommandSms, type InboundSms } from './technician-sms.js';

export interface ApprovalSmsDeps {
  config: Pick<Config, 'language'>;
  store: Store;
  tickets: TicketDeps;
}

/**
 * Whether a text that reads as `YES <n>` / `NO <n> …` is an answer to request n: from a phone asked
 * to approve it, yes; from a phone the desk knows otherwise (a technician, a requester), no, since
 * "Non 2 fois que je redémarre" is a requester's answer on their own ticket and must land there;
 * from a stranger, yes: told that no approval waits for it, and nothing opened.
 */
export async function isApprovalAnswer(deps: Pick<ApprovalSmsDeps, 'store'>, from: string, command: ApprovalCommand): Promise<boolean> {
  if (await deps.store.approvals.askedByPhone(Number(command.ticketNumber), from)) return true;
  const [technician, requester] = await Promise.all([deps.store.technicians.findByPhone(from), deps.store.requesters.findByPhone(from)]);
  return technician === null && requester === null;
}

/**
 * An approver's `YES <n>` / `NO <n> <comment>` (approval-commands.ts): answered only when that
 * phone was asked to approve request n and its answer is still awaited; the same use case as the
 * link's and the API's decides (tickets/approvals.ts), so the first decisive answer wins and a later
 * one is `settled`. Anyone else's YES, or one after the request was decided, changes nothing and is
 * told so; it never opens a ticket. Returns the reply to text back, or null for none.
 */
export async function runApprovalSms(deps: ApprovalSmsDeps, sms: InboundSms, command: ApprovalCommand): Promise<string | null> {
  // On no ticket: it is a command, and the approval's event is its record on the request.
  if (!(await recordCommandSms(deps.store, sms))) return null;

  const approval = await deps.store.approvals.pendingByPhone(Number(command.ticketNumber), sms.from);
  const t = REPLIES[approval?.language ?? deps.config.language];
  const ref = reference(command.ticketNumber);
  if (!approval) return t.none(ref);
  if (command.kind === 'reason-missing') return t.reason(ref, command.ticketNumber);
  const outcome = await answerApproval(
    deps.tickets,
    approval.id,
    command.kind === 'approve' ? { decision: 'approved', via: 'sms' } : { decision: 'rejected', via: 'sms', comment: command.comment },
  );
  return t[outcome](ref);
}

type Replies = Record<ApprovalOutcome | 'none', (ref: string) => string> & { reason: (ref: string, n: string) => string };

/** Short, GSM-7, one segment each. */
const REPLIES: Record<Language, Replies> = {
  en: {
    approved: (ref) => `${ref} approved. Thank you: the desk takes it from here.`,
    counted: (ref) => `${ref}: your approval is recorded; other approvers have still to answer.`,
    rejected: (ref) => `${ref} rejected. The requester will be told your reason.`,
    settled: (ref) => `${ref} was already decided: your answer changes nothing.`,
    none: (ref) => `${ref}: no approval is waiting for an answer from this phone. Nothing changed.`,
    reason: (ref, n) => `${ref}: to reject it, give the reason: NO ${n} <reason>. Nothing changed yet.`,
  },
  fr: {
    approved: (ref) => `${ref} approuvée. Merci : le support prend le relais.`,
    counted: (ref) => `${ref} : votre accord est enregistré ; d'autres approbateurs doivent encore répondre.`,
    rejected: (ref) => `${ref} refusée. Le demandeur sera informé de votre motif.`,
    settled: (ref) => `${ref} était déjà décidée : votre réponse ne change rien.`,
    none: (ref) => `${ref} : aucune approbation n'attend de réponse de ce téléphone. Rien n'a changé.`,
    reason: (ref, n) => `${ref} : pour refuser, donnez le motif : NON ${n} <motif>. Rien n'a changé.`,
  },
};
