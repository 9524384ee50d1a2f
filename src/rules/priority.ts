import type { Level, Priority } from '../domain/values.js';
import { findKeywords, normalizeText, removeKeywords, ruleText } from './text.js';

/** `matrix[impact][urgency]`: ITIL's impact × urgency grid, stored and editable as data. */
export type PriorityMatrix = Record<Level, Record<Level, Priority>>;

export const DEFAULT_PRIORITY_MATRIX: PriorityMatrix = {
  high: { high: 'P1', medium: 'P2', low: 'P3' },
  medium: { high: 'P2', medium: 'P3', low: 'P4' },
  low: { high: 'P3', medium: 'P4', low: 'P4' },
};

export function priorityOf(impact: Level, urgency: Level, matrix: PriorityMatrix = DEFAULT_PRIORITY_MATRIX): Priority {
  return matrix[impact][urgency];
}

/**
 * Keywords kept apart by what they tell: urgency is how soon work stops hurting, impact is how many
 * it hurts. "Not urgent" phrases are removed before "urgent" is looked for.
 */
export interface PriorityKeywords {
  urgencyHigh: string[];
  urgencyLow: string[];
  impactHigh: string[];
}

export const DEFAULT_PRIORITY_KEYWORDS: PriorityKeywords = {
  urgencyHigh: [
    'urgent*',
    'urgence',
    'au plus vite',
    'immediatement',
    'tout de suite',
    'bloqu*',
    'panne',
    'hors service',
    'plante',
    'critique',
    'ne peux pas travailler',
    'ne peux plus travailler',
    'impossible de travailler',
    'asap',
    'emergency',
    'critical',
    'down',
    'blocked',
    'blocking',
    'cannot work',
    "can't work",
    'unable to work',
    'not working at all',
    'right now',
  ],
  urgencyLow: [
    'pas urgent*',
    'non urgent*',
    "rien d'urgent",
    'quand vous pourrez',
    'quand vous aurez le temps',
    'pas presse',
    'not urgent',
    'no rush',
    'no hurry',
    'when you have time',
    'when you get a chance',
    'low priority',
  ],
  impactHigh: [
    'tout le service',
    "toute l'equipe",
    'tout le monde',
    "tout l'etage",
    'tout le batiment',
    'tout le site',
    'personne ne peut',
    'plus personne',
    'tous les utilisateurs',
    'tous les postes',
    'tous les collegues',
    'panne generale',
    'coupure generale',
    'whole team',
    'entire team',
    'whole office',
    'whole department',
    'entire office',
    'everyone',
    'everybody',
    'all users',
    'all staff',
    'nobody can',
    'no one can',
    'company-wide',
    'outage',
  ],
};

/** What a channel and a person tell about a new ticket; every field is optional. */
export interface PriorityHints {
  /** Set by a person (the API, a technician): final, nothing else is considered for that axis. */
  explicit?: { impact?: Level | undefined; urgency?: Level | undefined } | undefined;
  /** The voice menu's urgent option was chosen. */
  ivrUrgent?: boolean | undefined;
  /** Defaults of the mailbox the email came in through (an `urgent@` box, a VIP box). */
  mailbox?: { impact?: Level | undefined; urgency?: Level | undefined; priority?: Priority | undefined } | undefined;
  /** Raw header values; `X-Priority: 1 (Highest)`, `Importance: high`, `Priority: urgent`. */
  headers?: { xPriority?: string | undefined; importance?: string | undefined; priority?: string | undefined } | undefined;
  subject?: string | undefined;
  description?: string | undefined;
  vip?: boolean | undefined;
}

export interface Assessment {
  impact: Level;
  urgency: Level;
  priority: Priority;
  /** Short sentences for the ticket's events, e.g. `urgency high: keyword "panne"`. */
  reasons: string[];
}

export interface AssessOptions {
  matrix?: PriorityMatrix;
  keywords?: PriorityKeywords;
}

const raise = (level: Level): Level => (level === 'low' ? 'medium' : 'high');

export function assessTicket(hints: PriorityHints, options: AssessOptions = {}): Assessment {
  const matrix = options.matrix ?? DEFAULT_PRIORITY_MATRIX;
  const keywords = options.keywords ?? DEFAULT_PRIORITY_KEYWORDS;
  const reasons: string[] = [];

  const mailboxDefaults = hints.mailbox?.priority ? cellFor(hints.mailbox.priority, matrix) : undefined;
  const mailboxImpact = hints.mailbox?.impact ?? mailboxDefaults?.impact;
  const mailboxUrgency = hints.mailbox?.urgency ?? mailboxDefaults?.urgency;

  // The subject and the first RULE_TEXT_CHARS characters of the text, as for the category.
  const raw = normalizeText(ruleText(`${hints.subject ?? ''}\n${hints.description ?? ''}`));
  const calmWords = findKeywords(raw, keywords.urgencyLow);
  const text = calmWords.length > 0 ? removeKeywords(raw, keywords.urgencyLow) : raw;

  let impact: Level;
  const explicitImpact = hints.explicit?.impact;
  if (explicitImpact) {
    impact = explicitImpact;
    reasons.push(`impact ${impact}: set by a person`);
  } else {
    impact = mailboxImpact ?? 'medium';
    if (mailboxImpact) reasons.push(`impact ${impact}: mailbox default`);
    const words = findKeywords(text, keywords.impactHigh);
    if (words.length > 0 && impact !== 'high') {
      impact = 'high';
      reasons.push(`impact high: ${quoteList(words)}`);
    }
  }

  let urgency: Level;
  const explicitUrgency = hints.explicit?.urgency;
  if (explicitUrgency) {
    urgency = explicitUrgency;
    reasons.push(`urgency ${urgency}: set by a person`);
  } else {
    urgency = mailboxUrgency ?? 'medium';
    if (mailboxUrgency) reasons.push(`urgency ${urgency}: mailbox default`);
    const header = headerUrgency(hints.headers);
    const raising: string[] = [];
    if (hints.ivrUrgent) raising.push('IVR urgent option');
    if (header?.level === 'high') raising.push(header.source);
    const words = findKeywords(text, keywords.urgencyHigh);
    if (words.length > 0) raising.push(quoteList(words));
    if (raising.length > 0) {
      if (urgency !== 'high') reasons.push(`urgency high: ${raising.join(', ')}`);
      urgency = 'high';
    } else if (!mailboxUrgency) {
      // A sender's "low" only lowers what nobody else has an opinion on; a mailbox default stands.
      if (header?.level === 'low') {
        urgency = 'low';
        reasons.push(`urgency low: ${header.source}`);
      } else if (calmWords.length > 0) {
        urgency = 'low';
        reasons.push(`urgency low: ${quoteList(calmWords)}`);
      }
    }
    if (hints.vip) {
      const before = urgency;
      urgency = raise(urgency);
      reasons.push(before === urgency ? 'VIP requester (urgency already high)' : `urgency ${urgency}: VIP requester`);
    }
  }

  const priority = priorityOf(impact, urgency, matrix);
  reasons.push(`${priority} from impact ${impact} × urgency ${urgency}`);
  return { impact, urgency, priority, reasons };
}

/** Reads the usual priority headers; unknown values tell nothing. */
export function headerUrgency(headers: PriorityHints['headers']): { level: Level; source: string } | undefined {
  if (!headers) return undefined;
  const x = headers.xPriority?.trim();
  if (x) {
    const n = Number(/^\d/.exec(x)?.[0]);
    if (n === 1 || n === 2) return { level: 'high', source: `X-Priority ${n}` };
    if (n === 4 || n === 5) return { level: 'low', source: `X-Priority ${n}` };
  }
  for (const [name, value] of [
    ['Importance', headers.importance],
    ['Priority', headers.priority],
  ] as const) {
    const v = value?.trim().toLowerCase();
    if (v === 'high' || v === 'urgent') return { level: 'high', source: `${name}: ${v}` };
    if (v === 'low' || v === 'non-urgent') return { level: 'low', source: `${name}: ${v}` };
  }
  return undefined;
}

/**
 * A mailbox configured with a priority rather than levels: the matrix cell giving it, preferring
 * the diagonal (equal impact and urgency) so that neither axis is invented far from the other.
 */
export function cellFor(
  priority: Priority,
  matrix: PriorityMatrix = DEFAULT_PRIORITY_MATRIX,
): { impact: Level; urgency: Level } | undefined {
  const order: [Level, Level][] = [
    ['high', 'high'],
    ['medium', 'medium'],
    ['low', 'low'],
    ['medium', 'high'],
    ['high', 'medium'],
    ['low', 'high'],
    ['high', 'low'],
    ['low', 'medium'],
    ['medium', 'low'],
  ];
  for (const [impact, urgency] of order) {
    if (matrix[impact][urgency] === priority) return { impact, urgency };
  }
  return undefined;
}

function quoteList(words: string[]): string {
  const shown = words.slice(0, 3).map((w) => `"${w}"`);
  return `keyword${words.length > 1 ? 's' : ''} ${shown.join(', ')}${words.length > 3 ? ', …' : ''}`;
}
