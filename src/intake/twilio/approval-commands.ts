/**
 * An approver's answer by SMS (contract: "Service requests and approvals"): `YES <n>` approves
 * request n, `NO <n> <comment>` rejects it and says why. Case-insensitive like the technicians'
 * commands, in English or French (`OUI`/`NON`). Parsed without any I/O: the edge checks that the
 * sender's phone is one the request asked, and that its answer is still awaited.
 *
 * The number is required: a bare "yes" or "non merci" is a requester's reply to something else,
 * not an answer to a request, and goes on to the requester's path untouched.
 */
export type ApprovalCommand =
  | { kind: 'approve'; ticketNumber: string }
  | { kind: 'reject'; ticketNumber: string; comment: string }
  /** `NO <n>` alone: the reason is required, so nothing is decided and the approver is asked for it. */
  | { kind: 'reason-missing'; ticketNumber: string };

const WORDS: Readonly<Record<string, 'approve' | 'reject'>> = {
  YES: 'approve',
  OUI: 'approve',
  NO: 'reject',
  NON: 'reject',
};

/** As the technicians write a number: 1042, #1042, HD-1042, HD1042, N°1042. */
const TICKET = /^(?:#|HD-?|N°)?(\d{1,18})[.,;:!]?$/i;

/** The command a text carries, or null when it is no answer to a request. */
export function parseApprovalCommand(body: string): ApprovalCommand | null {
  const head = /^(\S+)\s+(\S+)\s*([\s\S]*)$/.exec(body.trim());
  if (!head) return null;
  const verb = WORDS[(head[1] ?? '').replace(/[.,;:!]+$/, '').toUpperCase()];
  const number = TICKET.exec(head[2] ?? '')?.[1];
  if (verb === undefined || number === undefined) return null;
  const ticketNumber = String(BigInt(number));
  const rest = (head[3] ?? '').trim();
  if (verb === 'approve') {
    // "YES 12 printers are down" is a sentence, not an approval: only the number may follow YES.
    return rest === '' ? { kind: 'approve', ticketNumber } : null;
  }
  return rest === '' ? { kind: 'reason-missing', ticketNumber } : { kind: 'reject', ticketNumber, comment: rest };
}
