import { formatDateTime } from '../../i18n.js';
import type { Viewer } from '../../viewer.js';
import type { TicketTexts } from './texts.js';

/**
 * The ranking's reasons are recorded in English words (rules/assignment.ts: "exact skills",
 * "load 4 (2/5 open)", "off shift"…) in the ticket's events. Here they are read back in the viewer's
 * language; a reason this page does not know is shown as recorded.
 */
type Reader = (match: RegExpExecArray, t: TicketTexts, viewer: Pick<Viewer, 'lang' | 'timezone'>) => string;

const READERS: Array<[RegExp, Reader]> = [
  [/^chosen: (.+)$/, (m, t) => `${t.r_chosen}: ${decidedBy(m[1] ?? '', t)}`],
  [/^exact skills$/, (_m, t) => t.r_exactSkills],
  [/^(\d+) other skills?$/, (m, t) => t.r_otherSkills(Number(m[1]))],
  [/^load (\d+(?:\.\d+)?) \((\d+)\/(\d+) open\)$/, (m, t) => t.r_load(m[1] ?? '', m[2] ?? '', m[3] ?? '')],
  [/^last assigned (.+)$/, (m, t, viewer) => t.r_lastAssigned(dateOr(m[1] ?? '', viewer))],
  [/^never assigned$/, (_m, t) => t.r_neverAssigned],
  [/^tier (\d+), ticket is tier (\d+)$/, (m, t) => t.r_tier(m[1] ?? '', m[2] ?? '')],
  [/^lacks (.+)$/, (m, t) => t.r_lacks(m[1] ?? '')],
  [/^unavailable$/, (_m, t) => t.r_unavailable],
  [/^off shift$/, (_m, t) => t.r_offShift],
  [/^at max load (\d+)\/(\d+)$/, (m, t) => t.r_maxLoad(m[1] ?? '', m[2] ?? '')],
  [/^declined this ticket$/, (_m, t) => t.r_declined],
  [/^busy\b/, (_m, t) => t.r_busy],
];

function dateOr(text: string, viewer: Pick<Viewer, 'lang' | 'timezone'>): string {
  return Number.isNaN(Date.parse(text)) ? text : formatDateTime(text, viewer);
}

export function readReason(reason: string, t: TicketTexts, viewer: Pick<Viewer, 'lang' | 'timezone'>): string {
  for (const [pattern, read] of READERS) {
    const match = pattern.exec(reason);
    if (match) return read(match, t, viewer);
  }
  return reason;
}

/** rules/assignment.ts DecidedBy, as a person says it. */
export function decidedBy(by: string, t: TicketTexts): string {
  switch (by) {
    case 'only candidate':
      return t.decided_only;
    case 'skill fit':
      return t.decided_skill;
    case 'weighted load':
      return t.decided_load;
    case 'idle longest':
      return t.decided_idle;
    case 'tie':
      return t.decided_tie;
    default:
      return by;
  }
}

/** The kinds summarizeDecision counts exclusions by ("off shift": 12). */
export function exclusionKind(kind: string, t: TicketTexts): string {
  switch (kind) {
    case 'tier':
      return t.x_tier;
    case 'lacks skills':
      return t.x_lacks;
    case 'unavailable':
      return t.x_unavailable;
    case 'off shift':
      return t.x_offShift;
    case 'at max load':
      return t.x_maxLoad;
    case 'declined this ticket':
      return t.x_declined;
    default:
      return kind;
  }
}
