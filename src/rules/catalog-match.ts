import { keywordMatcher, normalizeText, ruleText } from './text.js';

/**
 * Which catalog item an email sent to the request address asks for. People write in prose, in French
 * or English, and rarely name an item as the catalog does: each active item is weighed on its name,
 * its id's words, its fields' labels and, for the items the desk seeds, a list of everyday words in
 * both languages. Only a clear winner is taken; anything else is `other`, which a person at the desk
 * qualifies, because a request opened on the wrong item asks the wrong approvers.
 */

/** What the rule reads of a catalog item (store/catalog-repository.ts CatalogItem has it). */
export interface MatchableItem {
  id: string;
  name: string;
  active: boolean;
  fields: readonly { name: string; label: string; type: string; required: boolean; options?: readonly string[] }[];
}

export interface CatalogMatch {
  itemId: string;
  fields: Record<string, string | boolean>;
}

/** The item nobody has to match: "anything else", qualified by the desk. */
export const OTHER_ITEM = 'other';

/**
 * Everyday words for the seeded items (migration 090), French without accents (normalizeText strips
 * them) and English; `*` matches any ending. A desk's own items are matched on their name and labels.
 */
const WORDS: Readonly<Record<string, readonly string[]>> = {
  'app-access': [
    'acces a',
    'acces au*',
    'acces aux',
    'droit* d acces',
    'habilitation*',
    'autorisation*',
    'access to',
    'access rights',
    'permission*',
    'grant access',
    'give me access',
  ],
  'new-account': [
    'nouveau compte',
    'creation de compte',
    'creer un compte',
    'nouvel arrivant',
    'nouvelle arrivante',
    'nouveau collaborateur',
    'nouvelle collaboratrice',
    'arrivee',
    'embauche',
    'new account',
    'create an account',
    'new starter',
    'new employee',
    'new hire',
    'joiner',
    'onboarding',
    'arrival',
  ],
  departure: [
    'depart',
    'quitte*',
    'dernier jour',
    'fin de contrat',
    'supprimer les acces',
    'departure',
    'leaver',
    'leaving',
    'last day',
    'offboarding',
    'remove access*',
    'revoke',
  ],
  'new-hardware': [
    'ordinateur',
    'portable',
    'pc',
    'ecran',
    'clavier',
    'souris',
    'casque',
    'materiel',
    'station d accueil',
    'laptop',
    'computer',
    'monitor',
    'screen',
    'keyboard',
    'mouse',
    'headset',
    'hardware',
    'equipment',
    'docking station',
  ],
};

/** Words too common in a request to tell one item from another. */
const STOP = new Set(
  [
    'the',
    'and',
    'for',
    'with',
    'your',
    'what',
    'which',
    'other',
    'name',
    'nom',
    'les',
    'des',
    'pour',
    'avec',
    'une',
    'new',
    'nouveau',
    'nouvelle',
    'request',
    'demande',
    'reason',
    'raison',
    'motif',
    'anything',
    'else',
    'description',
    'email',
    'date',
  ].map(normalizeText),
);

/** Points: a seeded everyday word, the item's whole name, a word of its id or of a field's label. */
const WEIGHT = { word: 2, name: 4, term: 1 } as const;
/** The subject says what the email is about more surely than the body. */
const SUBJECT_FACTOR = 2;
/** A clear match: at least this many points, and this many more than the runner-up. */
const MIN_SCORE = 2;
const MIN_LEAD = 2;

/**
 * The item an email asks for, with the fields it fills: `label: value` lines naming a field (by its
 * label or name), and the prose for the free-text ones. An item whose required fields the email
 * leaves empty cannot be opened as it is: then `other`, with the body as its description.
 */
export function matchCatalogItem(items: readonly MatchableItem[], email: { subject: string; body: string }): CatalogMatch {
  const subject = normalizeText(ruleText(email.subject));
  const body = normalizeText(ruleText(email.body));
  const ranked = items
    .filter((item) => item.active && item.id !== OTHER_ITEM)
    .map((item) => ({ item, score: SUBJECT_FACTOR * scoreOf(item, subject) + scoreOf(item, body) }))
    .sort((a, b) => b.score - a.score);
  const [best, second] = ranked;
  const fallback = { itemId: OTHER_ITEM, fields: { description: email.body.trim() || email.subject.trim() } };
  if (!best || best.score < MIN_SCORE || best.score - (second?.score ?? 0) < MIN_LEAD) return fallback;
  const fields = fieldsFrom(best.item, email.body);
  const complete = best.item.fields.every((f) => !f.required || fields[f.name] !== undefined);
  return complete ? { itemId: best.item.id, fields } : fallback;
}

function scoreOf(item: MatchableItem, text: string): number {
  if (text === '') return 0;
  let score = 0;
  for (const word of WORDS[item.id] ?? []) if (keywordMatcher(word).test(text)) score += WEIGHT.word;
  if (keywordMatcher(item.name).test(text)) score += WEIGHT.name;
  for (const term of termsOf(item)) if (keywordMatcher(term).test(text)) score += WEIGHT.term;
  return score;
}

/** The distinct telling words of the item's id, name and labels. */
function termsOf(item: MatchableItem): string[] {
  const words = [item.id.replace(/[-_]/g, ' '), item.name, ...item.fields.map((f) => f.label)]
    .flatMap((text) => normalizeText(text).split(/[^a-z0-9]+/))
    .filter((word) => word.length >= 3 && !STOP.has(word));
  return [...new Set(words)];
}

/**
 * `Label: value` lines (the way a form or a careful person writes a request) fill the fields they
 * name; the rest of the email, its prose, answers the free-text (textarea) fields left empty: what
 * the person wrote is their reason, their description.
 */
function fieldsFrom(item: MatchableItem, body: string): Record<string, string | boolean> {
  const fields: Record<string, string | boolean> = {};
  const byKey = new Map<string, MatchableItem['fields'][number]>();
  for (const field of item.fields) {
    byKey.set(normalizeText(field.label), field);
    byKey.set(normalizeText(field.name), field);
  }
  const prose: string[] = [];
  for (const line of ruleText(body).split('\n')) {
    const colon = line.indexOf(':');
    const field = colon > 0 ? byKey.get(normalizeText(line.slice(0, colon))) : undefined;
    const value = line.slice(colon + 1).trim();
    const accepted = field && value !== '' && fields[field.name] === undefined ? acceptedValue(field, value) : null;
    if (field && accepted !== null) fields[field.name] = accepted;
    else prose.push(line);
  }
  const rest = prose.join('\n').trim();
  for (const field of item.fields) {
    if (field.type === 'textarea' && fields[field.name] === undefined && rest !== '') fields[field.name] = rest;
  }
  return fields;
}

/**
 * A value as openRequest will take it (tickets/requests.ts checks each field's type): a choice one of
 * its options as the catalog spells it, a date that reads as one, an address, an E.164 number, a yes
 * or no. Anything else fills nothing, so that the item falls back to `other` rather than being refused.
 */
function acceptedValue(field: MatchableItem['fields'][number], value: string): string | boolean | null {
  const plain = normalizeText(value);
  switch (field.type) {
    case 'choice':
      return field.options?.find((o) => normalizeText(o) === plain) ?? null;
    case 'date':
      return isCalendarDate(value) ? value : null;
    case 'email':
      return /^[^\s@]{1,64}@[^\s@]{1,255}$/.test(value) ? value : null;
    case 'phone': {
      const phone = value.replace(/[\s.()-]/g, '');
      return /^\+[1-9]\d{6,14}$/.test(phone) ? phone : null;
    }
    case 'boolean':
      return YES.has(plain) ? true : NO.has(plain) ? false : null;
    default:
      return value;
  }
}

/** YYYY-MM-DD naming a day that exists (Date.parse rolls 2027-02-30 over into March). */
function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const day = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value;
}

const YES = new Set(['yes', 'oui', 'true', 'y', 'o']);
const NO = new Set(['no', 'non', 'false', 'n']);
