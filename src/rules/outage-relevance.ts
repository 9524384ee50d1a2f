import { normalizeText } from './text.js';

/**
 * Which ongoing outages to name to a requester about their problem (the acknowledgement, the voice
 * menu). Naming an unrelated one (a VPN outage to someone whose printer jams) reads as a wrong
 * diagnosis and teaches people to ignore the announcements. An outage with a category concerns
 * the tickets of that category, and only those; one without a category concerns a ticket whose
 * words it shares; one with neither is not named. Pure, linear in the length of the texts.
 */

export interface OutageText {
  title: string;
  message?: string | null;
  category?: string | null;
  /** The same announcement in other languages: a French complaint may match its French words. */
  translations?: Partial<Record<string, { title: string; message: string }>>;
}

export interface ProblemText {
  category: string | null;
  subject: string;
  description?: string | null;
}

/**
 * Words every outage announcement and every complaint use, in French and English: sharing them
 * says nothing about sharing a cause ("panne", "down", "service"…). Compared as stems (below).
 */
const GENERIC = [
  'panne',
  'pannes',
  'incident',
  'incidents',
  'outage',
  'outages',
  'down',
  'indisponible',
  'indisponibles',
  'unavailable',
  'service',
  'services',
  'probleme',
  'problemes',
  'problem',
  'problems',
  'issue',
  'issues',
  'erreur',
  'erreurs',
  'error',
  'errors',
  'impossible',
  'marche',
  'fonctionne',
  'fonctionnent',
  'working',
  'works',
  'work',
  'travail',
  'bonjour',
  'hello',
  'merci',
  'thanks',
  'thank',
  'please',
  'depuis',
  'since',
  'matin',
  'morning',
  'aujourd',
  'today',
  'encore',
  'still',
  'cours',
  'ongoing',
  'perturbation',
  'perturbations',
  'disruption',
  'degrade',
  'degraded',
  'lent',
  'lente',
  'slow',
  'utilisateurs',
  'users',
  'tous',
  'toutes',
  'everyone',
  'plus',
  'more',
  'avec',
  'with',
  'pour',
  'from',
  'dans',
  'that',
  'this',
  'vous',
  'nous',
  'have',
  'avez',
  'sont',
  'est',
  'are',
  'the',
  'les',
  'des',
  'une',
  'sur',
  'pas',
  'not',
  'cannot',
  'peux',
  'peut',
  'pouvons',
  'mon',
  'mes',
  'notre',
  'nos',
  'votre',
  'vos',
  'your',
  'our',
  'my',
  'demande',
  'request',
  'ticket',
  'retabli',
  'restored',
  'heure',
  'heures',
  'hour',
  'hours',
  'minutes',
  'bureau',
  'office',
];

/** Long enough to carry meaning; the stem folds inflections (imprimante, imprimantes, imprimer). */
const MIN_WORD = 3;
const STEM = 5;

/** At most this much of each text is read: a cause is named early, and a 1 MB body costs nothing. */
const READ_LIMIT = 4_000;

const stem = (word: string) => word.slice(0, STEM);
const GENERIC_STEMS = new Set(GENERIC.map(stem));

/** The telling word stems of a text: what two texts about one cause share (suggestions group by them too). */
export function tellingStems(text: string): Set<string> {
  const stems = new Set<string>();
  // [a-z0-9]+ over normalised text: one pass, no backtracking.
  for (const word of normalizeText(text.slice(0, READ_LIMIT)).match(/[a-z0-9]+/g) ?? []) {
    if (word.length < MIN_WORD || /^\d+$/.test(word)) continue;
    const s = stem(word);
    if (!GENERIC_STEMS.has(s)) stems.add(s);
  }
  return stems;
}

/** Whether the problem's words share a telling stem with the outage's title or message, in any of its languages. */
function sharesWords(outage: OutageText, problem: ProblemText): boolean {
  const texts = [outage, ...Object.values(outage.translations ?? {})].flatMap((t) => (t ? [`${t.title} ${t.message ?? ''}`] : []));
  const said = tellingStems(texts.join(' '));
  if (said.size === 0) return false;
  for (const s of tellingStems(`${problem.subject} ${problem.description ?? ''}`)) if (said.has(s)) return true;
  return false;
}

/** Whether this outage concerns this problem (see above). */
export function concerns(outage: OutageText, problem: ProblemText): boolean {
  if (outage.category) return outage.category === problem.category;
  return sharesWords(outage, problem);
}

/**
 * Whether a new ticket is about this outage, so that it joins it (#16, the contract: "their category
 * matches, when it is set, and their text resembles its title or message"). Stricter than naming an
 * outage in an acknowledgement: a ticket linked to an outage is left to it by routing and hears its
 * end, so an email ticket asking for a new mailing list must not vanish into a mail outage because
 * it shares the category. Both the category (when the outage has one) and the words must agree.
 */
export function isAbout(outage: OutageText, problem: ProblemText): boolean {
  if (outage.category && outage.category !== problem.category) return false;
  return sharesWords(outage, problem);
}

/** The outages to name about this problem, in the order given. */
export function relevantOutages<T extends OutageText>(outages: readonly T[], problem: ProblemText): T[] {
  return outages.filter((o) => concerns(o, problem));
}
