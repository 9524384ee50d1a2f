/**
 * "Merci, c'est réparé", "thanks, fixed", "ok merci": a requester's short acknowledgement after their
 * ticket was resolved. Such a text belongs on that ticket as a message; it is not a new problem, and
 * reopening or opening a ticket for it pages a technician for nothing.
 *
 * The rule is a whitelist: every word must be one of thanking, agreeing or "it works again", and one
 * of them must carry the meaning (`ANCHORS`). A text with any other word ("ne marche plus", "still",
 * "mais", "écran") is not an acknowledgement, so that whatever looks like a problem still opens or
 * reopens a ticket as before. A question mark makes it a question. Only one SMS worth of text is read
 * (longer is never "just thanks"), and it is read once, character by character: linear in any input.
 */

/** A longer text says more than thanks; the whole of one GSM-7 segment is plenty. */
export const THANKS_MAX_CHARS = 160;

/** Words that make a text an acknowledgement; accents and case are ignored (see `words`). */
const ANCHORS = new Set([
  // French
  'merci',
  'mercii',
  'remerciements',
  'ok',
  'oki',
  'okay',
  'daccord',
  'accord',
  'parfait',
  'super',
  'top',
  'nickel',
  'genial',
  'excellent',
  'impeccable',
  'repare',
  'reparee',
  'regle',
  'reglee',
  'resolu',
  'resolue',
  'marche',
  'remarche',
  'fonctionne',
  'refonctionne',
  'cool',
  'bravo',
  'recu',
  'ouf',
  'cimer',
  'mrc',
  'mci',
  // English
  'thanks',
  'thank',
  'thx',
  'thnx',
  'tks',
  'ty',
  'tyvm',
  'cheers',
  'fixed',
  'solved',
  'resolved',
  'sorted',
  'works',
  'working',
  'great',
  'perfect',
  'awesome',
  'brilliant',
  'fantastic',
  'excellent',
  'noted',
  'received',
  'appreciated',
  'good',
  'fine',
  'nice',
  'wonderful',
  'kk',
]);

/** Words that may surround an anchor without changing what the text means. */
const FILLERS = new Set([
  // French
  'c',
  'est',
  'cest',
  'ca',
  'cela',
  'tout',
  'tous',
  'toutes',
  'bien',
  'tres',
  'beaucoup',
  'mille',
  'fois',
  'a',
  'vous',
  'toi',
  'te',
  'de',
  'du',
  'nouveau',
  'maintenant',
  'desormais',
  'encore',
  'enfin',
  'bon',
  'bonne',
  'journee',
  'soiree',
  'semaine',
  'fin',
  'et',
  'pour',
  'votre',
  'ton',
  'aide',
  'rapidite',
  'reactivite',
  'intervention',
  'le',
  'la',
  'l',
  'les',
  'j',
  'ai',
  'il',
  'elle',
  'oui',
  'equipe',
  'support',
  'vraiment',
  'trop',
  'sympa',
  'au',
  'revoir',
  'bonjour',
  'salut',
  're',
  'y',
  'en',
  'effet',
  'mon',
  'ma',
  'probleme',
  'souci',
  'parfaitement',
  // English
  'it',
  's',
  'is',
  'its',
  'all',
  'now',
  'again',
  'so',
  'very',
  'much',
  'many',
  'lot',
  'you',
  'u',
  'for',
  'the',
  'your',
  'help',
  'team',
  'that',
  'this',
  'thats',
  'everything',
  'looks',
  'seems',
  'yes',
  'yep',
  'yeah',
  'and',
  'have',
  'day',
  'evening',
  'weekend',
  'really',
  'indeed',
  'got',
  'my',
  'problem',
  'issue',
  'hi',
  'hello',
  'bye',
  'quick',
  'fast',
  'fix',
  'guys',
  'mate',
  'back',
  'up',
  'running',
  'well',
  'done',
  'job',
  'oh',
  'ah',
  'wow',
  'haha',
  'lol',
  'we',
  'm',
  'i',
  'am',
  'as',
  'expected',
]);

/** Emoji people send for "thanks" or "OK" alone. */
const THANKS_EMOJI = ['\u{1F44D}', '\u{1F64F}', '\u{1F44C}', '\u{1F642}', '\u{1F60A}', '\u{1F600}', '\u{1F603}', '\u2764', '\u{1F44F}'];

/** True when the whole text is a short thanks or acknowledgement, in French or English. */
export function isThanks(text: string): boolean {
  if (text.length > THANKS_MAX_CHARS * 2) return false;
  const trimmed = text.trim();
  if (trimmed === '' || [...trimmed].length > THANKS_MAX_CHARS || trimmed.includes('?')) return false;
  const found = words(trimmed);
  if (found.length === 0) return THANKS_EMOJI.some((e) => trimmed.includes(e));
  let anchored = false;
  for (const word of found) {
    if (ANCHORS.has(word)) anchored = true;
    else if (!FILLERS.has(word)) return false;
  }
  return anchored;
}

/**
 * The words of a text, lower-case and without accents, split on anything that is not a letter: an
 * apostrophe splits "c'est" into c, est and "d'accord" into d, accord (d read as de).
 */
function words(text: string): string[] {
  const folded = text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  const out: string[] = [];
  let current = '';
  for (const ch of folded) {
    if (/\p{L}/u.test(ch)) current += ch;
    else if (current !== '') {
      out.push(current);
      current = '';
    }
  }
  if (current !== '') out.push(current);
  // "d'accord" and "c'est" arrive split at the apostrophe; both halves are fillers or anchors.
  return out.map((w) => (w === 'd' ? 'de' : w));
}
