/**
 * The words mail clients write around quoted history, per language, as each client localises them
 * (Gmail, Outlook desktop/web/mobile, Apple Mail, Thunderbird, Yahoo, GMX/web.de, Yandex, Mail.ru,
 * Orange, Libero). Every pattern is tried on one line (at most a few joined), anchored, with bounded
 * repetition and no nested quantifier, so its cost stays linear in the line.
 */

/** Longer lines are prose, never an attribution or a header; skipping them bounds the work per line. */
export const MAX_MARKER_LINE = 400;

export const QUOTED = /^ {0,3}>/;

function wholeLine(alternatives: string[], before = '', after = ''): RegExp {
  return new RegExp(`^${before}(?:${alternatives.join('|')})${after}$`, 'iu');
}

/**
 * "-----Original Message-----" and Gmail's "---------- Forwarded message ---------", Android's
 * "-------- Original message --------", Zoho's "---- On … wrote ----", in every language: a dashed
 * line naming a message or someone writing.
 */
const SEPARATOR_WORDS = [
  'original',
  'message',
  'nachricht',
  'mensaje',
  'mensagem',
  'messaggio',
  'meddelelse',
  'meddelande',
  'melding',
  'bericht',
  'wiadomo',
  'сообщени',
  'переслан',
  'лист',
  'повідомлення',
  'viesti',
  'zpráva',
  'thư',
  'wrote',
  'schrieb',
  'écrit',
  '原始邮件',
  '原始郵件',
  '元のメッセージ',
  '転送',
  '转发',
];
const SEPARATOR_WORD = new RegExp(SEPARATOR_WORDS.join('|'), 'iu');
const MAX_SEPARATOR_MIDDLE = 200;

export function isSeparator(line: string): boolean {
  const trimmed = line.trim();
  if (!trimmed.startsWith('--') || !trimmed.endsWith('--')) return false;
  // The dashes are cut by hand: "-{2,}.{0,80}-{2,}" backtracks over a line of dashes.
  let start = 0;
  while (trimmed[start] === '-') start++;
  let end = trimmed.length;
  while (end > start && trimmed[end - 1] === '-') end--;
  const middle = trimmed.slice(start, end);
  return middle.length > 0 && middle.length <= MAX_SEPARATOR_MIDDLE && SEPARATOR_WORD.test(middle);
}

/** Apple Mail's (and Thunderbird's) forward introduction, localised. */
export const FORWARD_INTRO = wholeLine(
  [
    'begin forwarded message',
    'début du message (?:réexpédié|transféré)',
    'anfang der weitergeleiteten nachricht',
    'weitergeleitete nachricht',
    '(?:begin )?doorgestuurd bericht',
    'comienzo del mensaje reenviado',
    'mensaje reenviado',
    'in[ií]cio da mensagem (?:reencaminhada|encaminhada)',
    'mensagem encaminhada',
    'inizio messaggio inoltrato',
    'messaggio inoltrato',
    'początek przekazywanej wiadomości',
    'wiadomość przekazana dalej',
    'начало переадресованного сообщения',
    'пересылаемое сообщение',
    'початок пересланого повідомлення',
    '(?:början på )?vidarebefordrat (?:brev|meddelande)',
    '(?:start på )?videresendt (?:melding|besked|meddelelse)',
    'välitetty viesti(?: alkaa)?',
    'bắt đầu thư được chuyển tiếp',
    '転送されたメッセージ',
    '(?:以下是)?转发的邮件',
    '轉寄的郵件',
  ],
  '\\s*',
  '\\s?[:：]\\s*',
);

/** The rule Outlook (web, mobile, new Outlook) draws above its header block. */
export const UNDERSCORES = /^\s*_{20,}\s*$/;

/**
 * The attribution's verb, at its end ("… wrote:", "… a écrit :", "… escribió:", "… пише:") or before
 * the sender ("Am … schrieb X:", "Op … schreef X:", "… skrev X:"), or CJK ("…写道：", "…のメッセージ:").
 */
const VERB_LAST = [
  'wrote',
  'a [ée]crit',
  '[ée]crit',
  'escribió',
  'escribio',
  'escreveu',
  'ha scritto',
  'scrisse',
  'pisze',
  'napisał\\(a\\)',
  'napisała?',
  'написал\\(а\\)',
  'написала?',
  'пишет',
  'пише',
  'написав',
  'написала',
  'kirjoitti',
  'đã viết',
  'schreef',
  'schrieb',
  'skrev',
  'napsal\\(a\\)',
  'написав\\(ла\\)',
  'het volgende geschreven',
];
const VERB_THEN_NAME = ['schrieb', 'schreef', 'skrev', 'kirjoitti'];
const ATTRIBUTIONS = [
  new RegExp(`^.{1,300}\\s(?:${VERB_LAST.join('|')})\\s?[:：]$`, 'iu'),
  new RegExp(`^.{1,300}\\s(?:${VERB_THEN_NAME.join('|')})\\s.{1,300}[:：]$`, 'iu'),
  // Apple Mail in Polish: "Wiadomość napisana przez X w dniu 3 mar 2026, o godz. 10:00:".
  /^wiadomość napisana przez\s.{1,300}[:：]$/iu,
  /^.{1,300}(?:写道|寫道|のメッセージ|のメール|は書きました|さんは書きました|書きました)\s?[:：]$/u,
];
/**
 * Gmail's date-first attribution with no verb (Japanese, Russian, Korean and others):
 * "2026年3月3日(火) 10:00 Helpdesk <helpdesk@acme.example>:". Only with an address at its end.
 */
function endsWithAddress(joined: string): boolean {
  const body = joined.replace(/\s?[:：]$/u, '').replace(/\)$/, '');
  const close = body.at(-1);
  const open = close === '>' ? '<' : close === ')' ? '(' : close === ']' ? '[' : null;
  if (open === null) return false;
  // Gmail wraps inside the brackets ("Team <" / "helpdesk@acme.example>:"): the joined lines hold a space there.
  const inside = body
    .slice(body.lastIndexOf(open) + 1, -1)
    .trim()
    .replace(/^mailto:/i, '');
  return inside.length <= 254 && /^[^\s<>()[\]@]+@[^\s<>()[\]@]+$/.test(inside);
}

/** Openers that make an attribution certain when it carries a digit ("On", "Le", "Am", "Op", "El", …). */
const OPENER = /^(?:on|le|am|op|el|em|no dia|il|il giorno|w dniu|dnia|den|d\.|vào|в|вт|пн|ср|чт|пт|сб|вс|\d)[\s,.]/iu;

type Attribution = 'strong' | 'weak' | null;

/**
 * "strong": the quoted message may follow unprefixed (HTML converted, Yahoo, some Outlook versions);
 * "weak": only counts when quoted lines follow, as "X wrote:" is also ordinary prose.
 */
export function attributionKind(joined: string): Attribution {
  if (!/[:：]$/u.test(joined)) return null;
  // A real attribution carries a date or time; "Le support m'a écrit :" in prose does not.
  const dated = /\d/.test(joined);
  // Certain only with a time or a year: "2 days ago my manager wrote:" is prose followed by their words.
  const timed = /\d{1,2}[:.h]\d{2}|\d{4}/.test(joined);
  if (ATTRIBUTIONS.some((re) => re.test(joined))) return timed && OPENER.test(joined) ? 'strong' : 'weak';
  if (dated && endsWithAddress(joined)) return 'weak';
  return null;
}

/** A line that may be the first of an attribution wrapped over lines (Gmail wraps at 80 columns). */
export function mayOpenAttribution(line: string): boolean {
  return OPENER.test(line) || /\d/.test(line);
}

/** A header line of a quoted block ("From:", "De :", "Von:", "Enviado el:", "差出人:"), by what it names. */
const FIELD = /^\s{0,3}\*{0,2}(\p{L}[\p{L} ]{0,22}?)\*{0,2}\s?\*{0,2}[:：]/u;
const FIELD_NAMES: Record<'from' | 'sent' | 'to' | 'subject', string[]> = {
  from: [
    'from',
    'de',
    'von',
    'van',
    'da',
    'från',
    'fra',
    'от',
    'od',
    'lähettäjä',
    'từ',
    '差出人',
    '发件人',
    '寄件者',
    'afzender',
    'absender',
    'expéditeur',
    'remitente',
    'mittente',
    'nadawca',
    'отправитель',
    'від',
    'avsändare',
    'afsender',
    'avsender',
  ],
  sent: [
    'sent',
    'date',
    'envoyé',
    'envoye',
    'gesendet',
    'datum',
    'verzonden',
    'inviato',
    'skickat',
    'sendt',
    'отправлено',
    'дата',
    'wysłano',
    'enviado',
    'enviado el',
    'enviada',
    'data',
    'dato',
    'päivämäärä',
    'lähetetty',
    'đã gửi',
    'ngày',
    '送信日時',
    '日付',
    '发送时间',
    '日期',
    '寄件日期',
    'надіслано',
    'sent at',
  ],
  to: [
    'to',
    'cc',
    'bcc',
    'à',
    'a',
    'cci',
    'an',
    'aan',
    'till',
    'til',
    'кому',
    'do',
    'para',
    'vastaanottaja',
    'kopio',
    'đến',
    '宛先',
    '收件人',
    '收件者',
    '抄送',
    'kopie',
    'копия',
    'dw',
    'kopia',
    'kopi',
    'komu',
    'destinatari',
    'destinatario',
  ],
  subject: [
    'subject',
    'objet',
    'sujet',
    'betreff',
    'onderwerp',
    'oggetto',
    'ämne',
    'emne',
    'тема',
    'temat',
    'assunto',
    'asunto',
    'aihe',
    'chủ đề',
    '件名',
    '主题',
    '主旨',
    'předmět',
  ],
};
const FIELD_CATEGORY = new Map(Object.entries(FIELD_NAMES).flatMap(([category, names]) => names.map((name) => [name, category] as const)));

export function fieldCategory(line: string): string | null {
  if (line.length > MAX_MARKER_LINE) return null;
  const name = FIELD.exec(line)?.[1]?.trim().toLowerCase();
  return name === undefined ? null : (FIELD_CATEGORY.get(name) ?? null);
}

/** RFC 3676 §4.3 "-- " (the trailing space is often lost on the way). */
export const DELIMITER = /^--$/;

/** The footers mobile clients and webmails add under the new text. */
export const MOBILE = wholeLine(
  [
    'sent from my\\s.{1,40}',
    'sent from (?:outlook|mail|yahoo mail|typeapp|bluemail|aol|gmail|samsung|proton ?mail)\\b.{0,60}',
    'sent (?:with|via|using) (?:proton ?mail|spark|blackberry|typeapp)\\b.{0,60}',
    'sent from (?:an? )?(?:mobile|iphone|ipad|android).{0,40}',
    'get outlook for (?:ios|android)\\b.{0,60}',
    // "Outlook für iOS herunterladen", "Outlook voor iOS downloaden", "Descargar Outlook para Android", …
    '\\S{0,20}\\s?outlook\\s\\S{1,10}\\s(?:\\S{1,10}\\s)?(?:ios|android)\\b.{0,60}',
    "envoyé (?:de|depuis) (?:mon|ma|l['’])\\s?.{1,40}",
    'envoyé à partir de\\s.{1,40}',
    'télécharger outlook pour (?:ios|android)\\b.{0,60}',
    'von meinem\\s.{1,40}\\sgesendet',
    'gesendet (?:von|vom|mit|über)\\s.{1,60}',
    'outlook für (?:ios|android) herunterladen.{0,60}',
    '(?:verstuurd|verzonden) (?:vanaf|met|via|van) (?:mijn\\s)?.{1,40}',
    'enviado (?:desde|de|do|pelo|con|com) (?:mi|meu|o|a|el|la|my)?\\s?.{1,40}',
    'inviato (?:da|dal|dalla|con)\\s.{1,40}',
    'skickat från (?:min|mitt)?\\s?.{1,40}',
    'sendt fra (?:min|mitt)?\\s?.{1,40}',
    'отправлено (?:с|со|из)\\s.{1,60}',
    'надіслано (?:з|із)\\s.{1,60}',
    'wysłane z\\s.{1,40}',
    'wysłano z\\s.{1,40}',
    'lähetetty (?:iphonesta|androidista|puhelimesta|.{1,30}sta)',
    'odesláno z\\s.{1,40}',
    'được gửi từ\\s.{1,40}',
    'iphoneから送信',
    'androidから送信',
    '(?:发自|發自|从|從)我的\\s?.{1,30}',
  ],
  '',
  // "Von meinem Samsung Galaxy Smartphone gesendet.": Samsung ends its footer with a full stop.
  '[.!]?',
);

/** A short answer that hands the forward below over as the request ("FYI", "see below", "voir ci-dessous"). */
export const SEE_BELOW = wholeLine(
  [
    'fyi',
    'fwiw',
    'see below',
    'please see below',
    'see the message below',
    'for your information',
    'pour info',
    'pour information',
    'voir ci-dessous',
    'cf\\. ci-dessous',
    'zur info',
    'zur kenntnis',
    'siehe unten',
    'ter info',
    'zie hieronder',
    'ver abajo',
    'para tu información',
    'para su información',
    'para sua informação',
    'veja abaixo',
    'vedi sotto',
    'per conoscenza',
    'per tua informazione',
    'do wiadomości',
    'patrz poniżej',
    'для информации',
    'см\\. ниже',
    'для інформації',
    'дивіться нижче',
    'se nedan',
    'för kännedom',
    'se nedenfor',
    'til orientering',
    'til info',
    'tiedoksi',
    'katso alla',
    'xem bên dưới',
    '参考まで',
    '下記ご確認ください',
    '请看下面',
    '供参考',
  ],
  '\\s*',
  '[\\s.!:,]*',
);
