/**
 * The new text of a reply, apart from the quoted history and the signature, for the common clients in
 * English, French and German.
 *
 * Why our own rules rather than `email-reply-parser` (crisp-oss, the maintained JS port of GitHub's parser),
 * which we evaluated first on samples of every format below: its locale coverage is good, but
 * - without the optional native `re2` module its patterns backtrack catastrophically (crisp-oss/
 *   email-reply-parser#39, open): measured on 2.3.7, one 5.5 kB line took 31 s and 2,000 lines starting
 *   "Op … schreef" took 45 s, so one crafted email could stall a mailbox; re2 is a native build we keep out
 *   of `npm ci`;
 * - it misses Outlook header blocks without an address (Exchange-internal "De : Dupont Jean"), files
 *   Outlook's "____" block under signature, knows no German sign-off, and can only be extended by mutating
 *   a module-global pattern list;
 * - its latest release requires Node 22.
 * The same ideas (attribution lines, Outlook separators and header blocks, mobile signatures, RFC 3676
 * "-- ") are written here as patterns tried one line at a time with bounded repetition, so the cost stays
 * linear in the size of the text.
 *
 * For a reply to an existing ticket. A new request forwarded to the desk is all "quoted" by these rules:
 * keep its whole text as the description.
 */

export interface ReplyParts {
  reply: string;
  quoted: string;
  signature: string;
}

type Kind = 'reply' | 'quoted' | 'signature' | 'delimiter';

/** Longer lines are prose, never an attribution or a header; skipping them bounds the work per line. */
const MAX_MARKER_LINE = 400;

const QUOTED = /^ {0,3}>/;

/** Outlook and Thunderbird separators, and forward introductions (Gmail, Apple Mail, Thunderbird). */
const SEPARATOR = wholeLine(
  [
    'original message',
    'forwarded message',
    "message d['’]origine",
    'message original',
    'message transféré',
    'ursprüngliche nachricht',
    'weitergeleitete nachricht',
    'originalnachricht',
  ],
  '\\s*-{2,}\\s*',
  '\\s*-{2,}\\s*',
);
const FORWARD_INTRO = wholeLine(
  ['begin forwarded message', 'début du message (?:réexpédié|transféré)', 'anfang der weitergeleiteten nachricht'],
  '\\s*',
  '\\s?:\\s*',
);
/** The rule Outlook (web, mobile, new Outlook) draws above its header block. */
const UNDERSCORES = /^\s*_{20,}\s*$/;

/** "On … wrote:" (Gmail, Apple Mail, Thunderbird, Outlook for Mac), "Le … a écrit :", "Am … schrieb …:". */
const STRONG_ATTRIBUTION = [/^On\s.{1,300}\swrote\s?:$/i, /^Le\s.{1,300}\s(?:a\s)?[ée]crit\s?:$/i, /^Am\s.{1,300}\sschrieb\b.{0,300}:$/i];
/** "X wrote:" alone is also ordinary prose, so it only counts when quoted lines follow. */
const WEAK_ATTRIBUTION = [/^.{1,200}\swrote\s?:$/i, /^.{1,200}\sa\s[ée]crit\s?:$/i, /^.{1,200}\sschrieb\b.{0,120}:$/i];

/** A header line of a quoted block ("From:", "De :", "Von:", …), by what it names. */
const FIELD = /^\s{0,3}\*{0,2}(\p{L}{1,10})\*{0,2}\s?\*{0,2}:/u;
const FIELD_CATEGORY: Record<string, 'from' | 'sent' | 'to' | 'subject'> = {
  from: 'from',
  de: 'from',
  von: 'from',
  sent: 'sent',
  date: 'sent',
  envoyé: 'sent',
  envoye: 'sent',
  gesendet: 'sent',
  datum: 'sent',
  to: 'to',
  cc: 'to',
  bcc: 'to',
  à: 'to',
  a: 'to',
  cci: 'to',
  an: 'to',
  subject: 'subject',
  objet: 'subject',
  sujet: 'subject',
  betreff: 'subject',
};

/** RFC 3676 §4.3 "-- " (the trailing space is often lost on the way). */
const DELIMITER = /^--$/;
const MOBILE = wholeLine([
  'sent from my\\s.{1,40}',
  'sent from (?:outlook|mail|yahoo mail)\\b.{0,60}',
  'get outlook for (?:ios|android)\\b.{0,60}',
  'envoyé (?:de|depuis) (?:mon|ma)\\s.{1,40}',
  'envoyé à partir de\\s.{1,40}',
  'télécharger outlook pour (?:ios|android)\\b.{0,60}',
  'von meinem\\s.{1,40}\\sgesendet',
  'gesendet (?:von|vom|mit)\\s.{1,40}',
]);
/** Closing words; "thanks," and the like only with their comma, as a bare "Thanks!" is often the whole reply. */
const SIGN_OFF = wholeLine(
  [
    '(?:best|kind|warm|warmest)\\s+regards',
    'regards',
    'best wishes',
    'best',
    'cheers',
    'thanks,',
    'thank you,',
    'many thanks,',
    'cordialement',
    'bien cordialement',
    'très cordialement',
    'cdlt',
    'bien à vous',
    'salutations',
    'sincères salutations',
    'bonne (?:journée|soirée)',
    'merci,',
    "merci d['’]avance,",
    'mit freundlichen grüßen',
    'mit freundlichen gruessen',
    'freundliche grüße',
    'viele grüße',
    'beste grüße',
    'liebe grüße',
    'schöne grüße',
    'mfg',
    'lg',
    'vg',
    'gruß',
    'danke,',
    'vielen dank,',
  ],
  '',
  '[,.!]?',
);
const MAX_SIGNATURE_LINES = 12;
const MAX_SIGNATURE_LINE = 120;

function wholeLine(alternatives: string[], before = '', after = ''): RegExp {
  return new RegExp(`^${before}(?:${alternatives.join('|')})${after}$`, 'i');
}

export function splitReply(text: string): ReplyParts {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd());
  const kinds: Kind[] = lines.map((line) => (QUOTED.test(line) ? 'quoted' : 'reply'));
  markHistory(lines, kinds);
  markSignature(lines, kinds);
  return {
    reply: gather(lines, kinds, 'reply'),
    quoted: gather(lines, kinds, 'quoted'),
    signature: gather(lines, kinds, 'signature'),
  };
}

function markHistory(lines: string[], kinds: Kind[]): void {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (kinds[i] !== 'reply' || line === '' || line.length > MAX_MARKER_LINE) continue;
    if (SEPARATOR.test(line) || FORWARD_INTRO.test(line)) return markRest(kinds, i);
    if (startsHeaderBlock(lines, i)) return markRest(kinds, i > 0 && UNDERSCORES.test(lines[i - 1] ?? '') ? i - 1 : i);
    const attribution = attributionAt(lines, i);
    if (attribution === null) continue;
    const next = nextNonBlank(lines, i + attribution.span);
    if (next !== -1 && kinds[next] === 'quoted') {
      // Gmail/Thunderbird style: the attribution heads a block of "> " lines; text after it is a reply again.
      kinds.fill('quoted', i, next);
      i = next;
    } else if (attribution.strong) {
      // The quoted message follows unprefixed (HTML converted, some Outlook versions): all of it is history.
      return markRest(kinds, i);
    }
  }
}

function markRest(kinds: Kind[], from: number): void {
  kinds.fill('quoted', from);
}

/** Outlook, GMX/web.de and forwarded-message header blocks: at least three of from/sent/to/subject, with a from. */
function startsHeaderBlock(lines: string[], start: number): boolean {
  const first = fieldCategory(lines[start] ?? '');
  if (first !== 'from' && first !== 'sent') return false;
  const seen = new Set<string>();
  for (let i = start; i < Math.min(lines.length, start + 6); i++) {
    const line = lines[i] ?? '';
    if (line === '') break;
    const category = fieldCategory(line);
    if (category !== null) seen.add(category);
  }
  return seen.size >= 3 && seen.has('from');
}

function fieldCategory(line: string): string | null {
  if (line.length > MAX_MARKER_LINE) return null;
  const name = FIELD.exec(line)?.[1]?.toLowerCase();
  return name === undefined ? null : (FIELD_CATEGORY[name] ?? null);
}

/** Clients wrap a long attribution (Gmail at 80 columns): try it over up to three lines. */
function attributionAt(lines: string[], start: number): { span: number; strong: boolean } | null {
  let joined = '';
  for (let span = 1; span <= 3 && start + span <= lines.length; span++) {
    const line = lines[start + span - 1] ?? '';
    if (line === '' || line.length > MAX_MARKER_LINE || (span > 1 && QUOTED.test(line))) break;
    joined = span === 1 ? line.trim() : `${joined} ${line.trim()}`;
    // A real attribution carries a date or time; "Le support m'a écrit :" in prose does not.
    if (/\d/.test(joined) && STRONG_ATTRIBUTION.some((re) => re.test(joined))) return { span, strong: true };
    if (span === 1 && WEAK_ATTRIBUTION.some((re) => re.test(joined))) return { span, strong: false };
    if (!/^(on|le|am)\s/i.test(joined)) break;
  }
  return null;
}

function nextNonBlank(lines: string[], from: number): number {
  for (let i = from; i < lines.length; i++) if ((lines[i] ?? '') !== '') return i;
  return -1;
}

/** The signature is in the last stretch of new text: from a "-- ", a mobile footer or a sign-off to its end. */
function markSignature(lines: string[], kinds: Kind[]): void {
  let end = lines.length - 1;
  while (end >= 0 && (kinds[end] !== 'reply' || (lines[end] ?? '') === '')) end--;
  if (end < 0) return;
  let start = end;
  while (start > 0 && kinds[start - 1] === 'reply') start--;

  let textAbove = false;
  for (let i = start; i <= end; i++) {
    const line = (lines[i] ?? '').trim();
    if (DELIMITER.test(line)) {
      kinds[i] = 'delimiter';
      kinds.fill('signature', i + 1, end + 1);
      return;
    }
    const signOff = textAbove && line.length <= MAX_MARKER_LINE && SIGN_OFF.test(line) && shortBlock(lines, i + 1, end);
    if (signOff || (line.length <= MAX_MARKER_LINE && MOBILE.test(line))) {
      kinds.fill('signature', i, end + 1);
      return;
    }
    if (line !== '') textAbove = true;
  }
}

/** Below a sign-off, a signature is a few short lines; more is the message going on. */
function shortBlock(lines: string[], from: number, to: number): boolean {
  let count = 0;
  for (let i = from; i <= to; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    // Stopping at the first excess keeps many sign-off lines in a row from costing quadratic time.
    if (++count > MAX_SIGNATURE_LINES || line.length > MAX_SIGNATURE_LINE) return false;
  }
  return true;
}

/** The lines of one kind, without leading/trailing blank lines and with runs of blank lines made one. */
function gather(lines: string[], kinds: Kind[], kind: Kind): string {
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (kinds[i] !== kind) return;
    if (line === '' && (out.length === 0 || out[out.length - 1] === '')) return;
    out.push(line);
  });
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}
