/**
 * SMS length rules. A message written only in the GSM-7 alphabet fits 160 characters in one segment;
 * one character outside it (ê, ç, ’, an emoji) turns the whole message into UCS-2, 70 characters a
 * segment. Our texts are written to stay in GSM-7, and `fitSms` keeps generated ones to one segment.
 */

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' + '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Each of these costs two characters (an escape and the character). */
const GSM7_EXTENDED = '^{}\\[~]|€\f';

const BASIC = new Set(GSM7_BASIC);
const EXTENDED = new Set(GSM7_EXTENDED);

export const SMS_SEGMENT = 160;

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!BASIC.has(ch) && !EXTENDED.has(ch)) return false;
  return true;
}

/** Length in GSM-7 septets, or null when the text needs UCS-2. */
export function gsm7Length(text: string): number | null {
  let length = 0;
  for (const ch of text) {
    if (BASIC.has(ch)) length += 1;
    else if (EXTENDED.has(ch)) length += 2;
    else return null;
  }
  return length;
}

/** True when the text goes out as a single SMS segment. */
export function fitsOneSms(text: string): boolean {
  const length = gsm7Length(text);
  return length === null ? [...text].length <= 70 : length <= SMS_SEGMENT;
}

/**
 * Cuts generated text (a ticket subject inside a reply) so the whole message stays in one segment.
 * Characters outside GSM-7 are replaced by their closest letters first: a French subject with a
 * circumflex should not make the whole reply cost three segments.
 */
export function fitSms(text: string, max = SMS_SEGMENT): string {
  let plain = toGsm7(text);
  if ((gsm7Length(plain) ?? Infinity) <= max) return plain;
  // Every character costs at least one septet: what lies past max - 3 can never stay, and cutting it
  // first keeps the loop below short (it measured the whole text once per character cut: quadratic).
  plain = plain.slice(0, max - 3);
  while (plain.length > 0 && (gsm7Length(plain) ?? Infinity) > max - 3) plain = plain.slice(0, -1);
  return `${plain.trimEnd()}...`;
}

export function toGsm7(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    if (BASIC.has(ch) || EXTENDED.has(ch)) out += ch;
    else if (ch === '’' || ch === '‘') out += "'";
    else if (ch === '“' || ch === '”' || ch === '«' || ch === '»') out += '"';
    else if (ch === '…') out += '...';
    else if (ch === '–' || ch === '—') out += '-';
    else if (ch === '\u00a0' || ch === '\u202f' || ch === '\t') out += ' ';
    else {
      const base = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      out += [...base].every((c) => BASIC.has(c)) && base !== '' ? base : '?';
    }
  }
  return out;
}
