import type { Language } from '../../domain/values.js';
import type { Block } from './types.js';

/** Helpers the language files use; nothing here knows what a message says. */

const SMS_MAX = 160;

// GSM 03.38: one septet each in the basic set, two (escape + char) in the extension table.
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('^{}\\[~]|€');

// Characters French and English text uses that GSM-7 lacks; one of them would switch the whole SMS
// to UCS-2 and cut a segment from 160 to 70 characters.
const REPLACEMENTS: Record<string, string> = {
  ç: 'c',
  â: 'a',
  ê: 'e',
  ë: 'e',
  î: 'i',
  ï: 'i',
  ô: 'o',
  û: 'u',
  ÿ: 'y',
  á: 'a',
  í: 'i',
  ó: 'o',
  ú: 'u',
  À: 'A',
  Â: 'A',
  È: 'E',
  Ê: 'E',
  Ë: 'E',
  Î: 'I',
  Ï: 'I',
  Ô: 'O',
  Ù: 'U',
  Û: 'U',
  œ: 'oe',
  Œ: 'OE',
  '’': "'",
  '‘': "'",
  '“': '"',
  '”': '"',
  '«': '"',
  '»': '"',
  '–': '-',
  '—': '-',
  '…': '...',
  '\u00a0': ' ',
  '\u202f': ' ',
  '\t': ' ',
  '•': '-',
};

/** Text in GSM-7 only: accents GSM lacks lose them, anything else unknown becomes `?`. */
export function toGsm(text: string): string {
  let out = '';
  for (const ch of text) {
    if (GSM_BASIC.has(ch) || GSM_EXTENDED.has(ch)) out += ch;
    else if (REPLACEMENTS[ch] !== undefined) out += REPLACEMENTS[ch];
    else {
      const bare = ch.normalize('NFD').replace(/\p{M}/gu, '');
      out += [...bare].every((c) => GSM_BASIC.has(c)) && bare !== '' ? bare : '?';
    }
  }
  return out;
}

/** Length in GSM-7 septets (what Twilio counts), for text already passed through toGsm. */
export function smsLength(text: string): number {
  let n = 0;
  for (const ch of text) n += GSM_EXTENDED.has(ch) ? 2 : 1;
  return n;
}

function clip(text: string, maxSeptets: number): string {
  if (smsLength(text) <= maxSeptets) return text;
  let out = '';
  for (const ch of text) {
    if (smsLength(out + ch) > maxSeptets - 3) break;
    out += ch;
  }
  return `${out.trimEnd()}...`;
}

/** Values shorter than this are never clipped: numbers, priorities, keywords. */
const MIN_CLIP = 12;

/** A value the `sms` tag never shortens: a link cut short leads nowhere. */
class Whole {
  constructor(readonly text: string) {}
}

export function whole(text: string): Whole {
  return new Whole(text);
}

/**
 * Tag for SMS texts: `sms\`HD-${n}: ${summary}. ACCEPT ${n}\``. The literal parts (and values
 * marked `whole`) are kept whole; when the text exceeds one segment the longest interpolated values
 * are shortened with `...`.
 */
export function sms(strings: TemplateStringsArray, ...values: unknown[]): string {
  const fixed = strings.map((s) => toGsm(s));
  const kept = values.map((v) => v instanceof Whole);
  const parts = values.map((v) => toGsm(oneLine(v instanceof Whole ? v.text : v == null ? '' : String(v))));
  const total = () => fixed.reduce((n, s, i) => n + smsLength(s) + smsLength(parts[i] ?? ''), 0);
  for (let excess = total() - SMS_MAX; excess > 0; excess = total() - SMS_MAX) {
    let longest = -1;
    parts.forEach((p, i) => {
      if (kept[i]) return;
      if (smsLength(p) > MIN_CLIP && (longest < 0 || smsLength(p) > smsLength(parts[longest] ?? ''))) longest = i;
    });
    if (longest < 0) break;
    const current = parts[longest] ?? '';
    parts[longest] = clip(current, Math.max(MIN_CLIP, smsLength(current) - excess));
  }
  return fixed.reduce((acc, s, i) => acc + s + (parts[i] ?? ''), '');
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** User text headed for a subject line: one line, not too long. */
export function short(text: string, max = 80): string {
  const line = oneLine(text);
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const present = (b: Block): b is Exclude<Block, false | null | undefined> => b !== false && b != null && b !== '';

export function blocksToText(blocks: Block[]): string {
  return blocks
    .filter(present)
    .map((b) => {
      if (typeof b === 'string') return b;
      if ('quote' in b)
        return b.quote
          .split(/\r?\n/)
          .map((l) => `> ${l}`)
          .join('\n');
      return b.list.map((item) => `- ${item}`).join('\n');
    })
    .join('\n\n');
}

const htmlLines = (text: string) => escapeHtml(text).replace(/\r?\n/g, '<br>\n');

export function blocksToHtml(blocks: Block[], lang: Language): string {
  const inner = blocks
    .filter(present)
    .map((b) => {
      if (typeof b === 'string') return `<p>${htmlLines(b)}</p>`;
      if ('quote' in b) {
        return `<blockquote style="margin:0 0 1em;padding-left:1em;border-left:3px solid #ccc">${htmlLines(b.quote)}</blockquote>`;
      }
      return `<ul>${b.list.map((item) => `<li>${htmlLines(item)}</li>`).join('')}</ul>`;
    })
    .join('\n');
  return `<!doctype html>\n<html lang="${lang}"><body style="font-family:sans-serif;line-height:1.4">\n${inner}\n</body></html>\n`;
}

const LOCALES: Record<Language, string> = { fr: 'fr-FR', en: 'en-GB' };

/** A short date and time in the desk's zone: `12/06 14:30` in French, `12 Jun, 14:30` in English. */
export function formatDateTime(value: Date | string, lang: Language, timeZone = 'Europe/Paris'): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  return new Intl.DateTimeFormat(LOCALES[lang], {
    timeZone,
    day: '2-digit',
    month: lang === 'fr' ? '2-digit' : 'short',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(date);
}

export function formatBytes(bytes: number, lang: Language): string {
  const units = lang === 'fr' ? ['o', 'Ko', 'Mo', 'Go'] : ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const number = new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value);
  return `${number} ${units[unit]}`;
}
