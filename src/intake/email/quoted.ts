import {
  attributionKind,
  DELIMITER,
  fieldCategory,
  FORWARD_INTRO,
  isSeparator,
  MAX_MARKER_LINE,
  mayOpenAttribution,
  MOBILE,
  QUOTED,
  SEE_BELOW,
  UNDERSCORES,
} from './reply-patterns.js';

/**
 * The new text of a reply, apart from the quoted history and the signature, for the common clients in
 * the languages of reply-patterns.ts. The sign-off ("Thanks,\nJane") is the person's own text and stays
 * in the reply; only an RFC 3676 "-- " signature and a mobile client's footer are cut as signature.
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
 * "-- ") are written in reply-patterns.ts as patterns tried one line at a time with bounded repetition, so
 * the cost stays linear in the size of the text.
 *
 * A forward is content, not history, when the note above it is empty or only hands it over ("FYI",
 * "see below"): then the forwarded message is the reply.
 */

export interface ReplyParts {
  /** The new text, its sign-off included. */
  reply: string;
  quoted: string;
  signature: string;
}

type Kind = 'reply' | 'closing' | 'quoted' | 'signature' | 'delimiter';

/** Closing words; "thanks," and the like only with their comma, as a bare "Thanks!" is often the whole reply. */
const SIGN_OFF = new RegExp(
  `^(?:${[
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
  ].join('|')})[,.!]?$`,
  'iu',
);

export function splitReply(text: string): ReplyParts {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd());
  const kinds: Kind[] = lines.map((line) => (QUOTED.test(line) ? 'quoted' : 'reply'));
  const forwardAt = markHistory(lines, kinds);
  if (forwardAt !== -1 && handsOver(lines, kinds, forwardAt)) {
    kinds.fill('reply', forwardAt);
    // The forward's own signature is part of what was forwarded; only the note's footer is cut.
    markSignature(lines, kinds, forwardAt);
  } else markSignature(lines, kinds, lines.length);
  return {
    reply: gather(lines, kinds, ['reply']),
    quoted: gather(lines, kinds, ['quoted']),
    signature: gather(lines, kinds, ['signature']),
  };
}

/**
 * The sign-off that ends a reply's new text and the few lines under it ('' when there is none): it
 * stays in the reply, but a survey answer is what comes before it.
 */
export function closingOf(reply: string): string {
  const lines = reply.split('\n');
  const kinds: Kind[] = lines.map(() => 'reply');
  markClosing(lines, kinds);
  return gather(lines, kinds, ['closing']);
}

/** Marks the history; returns where a forwarded message starts (-1: none), as it may be the request itself. */
function markHistory(lines: string[], kinds: Kind[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (kinds[i] !== 'reply' || line === '' || line.length > MAX_MARKER_LINE) continue;
    if (FORWARD_INTRO.test(line)) return markRest(kinds, i, i);
    if (isSeparator(line)) return markRest(kinds, i, FORWARDED.test(line) ? i : -1);
    if (startsHeaderBlock(lines, i)) {
      const from = i > 0 && UNDERSCORES.test(lines[i - 1] ?? '') ? i - 1 : i;
      return markRest(kinds, from, -1);
    }
    const attribution = attributionAt(lines, i);
    if (attribution === null) continue;
    const next = nextNonBlank(lines, i + attribution.span);
    if (next !== -1 && kinds[next] === 'quoted') {
      // Gmail/Thunderbird style: the attribution heads a block of "> " lines; text after it is a reply again.
      kinds.fill('quoted', i, next);
      i = next;
    } else if (attribution.kind === 'strong') {
      // The quoted message follows unprefixed (HTML converted, Yahoo, some Outlook versions): all of it is history.
      return markRest(kinds, i, -1);
    }
  }
  return -1;
}

/** Gmail's and Thunderbird's forward separators, as opposed to a reply's "Original Message". */
const FORWARDED =
  /forward|transféré|weitergeleitet|doorgestuurd|reenviado|encaminhad|inoltrato|przekazan|пересыла|переслан|vidarebefordra|videresend|välitetty|chuyển tiếp|転送|转发|轉寄/iu;

function markRest(kinds: Kind[], from: number, forward: number): number {
  kinds.fill('quoted', from);
  return forward;
}

/** The new text above a forward is nothing, or only hands it over: the forward is the request. */
function handsOver(lines: string[], kinds: Kind[], forwardAt: number): boolean {
  for (let i = 0; i < forwardAt; i++) {
    const line = (lines[i] ?? '').trim();
    if (kinds[i] !== 'reply' || line === '' || line.length > MAX_MARKER_LINE) continue;
    if (!SEE_BELOW.test(line) && !MOBILE.test(line) && !DELIMITER.test(line)) return false;
  }
  return true;
}

/** Outlook, GMX/web.de and forwarded-message header blocks: at least three of from/sent/to/subject, with a from. */
function startsHeaderBlock(lines: string[], start: number): boolean {
  const first = fieldCategory(lines[start] ?? '');
  if (first !== 'from' && first !== 'sent') return false;
  const seen = new Set<string>();
  for (let i = start; i < Math.min(lines.length, start + 8); i++) {
    const line = lines[i] ?? '';
    if (line === '') break;
    const category = fieldCategory(line);
    if (category !== null) seen.add(category);
  }
  return seen.size >= 3 && seen.has('from');
}

/** Clients wrap a long attribution (Gmail at 80 columns): try it over up to three lines. */
function attributionAt(lines: string[], start: number): { span: number; kind: 'strong' | 'weak' } | null {
  let joined = '';
  for (let span = 1; span <= 3 && start + span <= lines.length; span++) {
    const line = lines[start + span - 1] ?? '';
    if (line === '' || line.length > MAX_MARKER_LINE || (span > 1 && QUOTED.test(line))) break;
    joined = span === 1 ? line.trim() : `${joined} ${line.trim()}`;
    const kind = attributionKind(joined);
    if (kind !== null) return { span, kind };
    if (span === 1 && !mayOpenAttribution(joined)) break;
  }
  return null;
}

function nextNonBlank(lines: string[], from: number): number {
  for (let i = from; i < lines.length; i++) if ((lines[i] ?? '') !== '') return i;
  return -1;
}

/** The signature is in the last stretch of new text: from a "-- " or a mobile footer to its end. */
function markSignature(lines: string[], kinds: Kind[], before: number): void {
  let end = before - 1;
  while (end >= 0 && (kinds[end] !== 'reply' || (lines[end] ?? '') === '')) end--;
  if (end < 0) return;
  let start = end;
  while (start > 0 && kinds[start - 1] === 'reply') start--;

  for (let i = start; i <= end; i++) {
    const line = (lines[i] ?? '').trim();
    if (DELIMITER.test(line)) {
      kinds[i] = 'delimiter';
      kinds.fill('signature', i + 1, end + 1);
      return;
    }
    if (line.length <= MAX_MARKER_LINE && MOBILE.test(line)) {
      kinds.fill('signature', i, end + 1);
      return;
    }
  }
}

const MAX_SIGNATURE_LINES = 12;
const MAX_SIGNATURE_LINE = 120;

/** The last stretch of new text from a sign-off on, when a few short lines follow it and text comes before. */
function markClosing(lines: string[], kinds: Kind[]): void {
  let end = lines.length - 1;
  while (end >= 0 && (kinds[end] !== 'reply' || (lines[end] ?? '') === '')) end--;
  if (end < 0) return;
  let start = end;
  while (start > 0 && kinds[start - 1] === 'reply') start--;
  let textAbove = false;
  for (let i = start; i <= end; i++) {
    const line = (lines[i] ?? '').trim();
    if (textAbove && line.length <= MAX_MARKER_LINE && SIGN_OFF.test(line) && shortBlock(lines, i + 1, end)) {
      kinds.fill('closing', i, end + 1);
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
function gather(lines: string[], kinds: Kind[], wanted: Kind[]): string {
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (!wanted.includes(kinds[i] ?? 'reply')) return;
    if (line === '' && (out.length === 0 || out[out.length - 1] === '')) return;
    out.push(line);
  });
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}
