import { isUtf8 } from 'node:buffer';
import { analyse } from 'chardet';

/**
 * Headers must be ASCII (RFC 5322 §2.2) or UTF-8 (RFC 6532), but old clients and scripts still send raw
 * 8-bit bytes in Subject or From, in the sender's local charset: windows-1252 in Western Europe, GB18030 or
 * Big5 in China and Taiwan, Shift_JIS / EUC-JP / ISO-2022-JP in Japan, KOI8-R or windows-1251 in Russia.
 * mailparser decodes raw header bytes as UTF-8 and turns the others into U+FFFD, losing the text. Before
 * parsing, each top-level header line that is not valid UTF-8 (or carries ISO-2022-JP escapes) is re-encoded
 * to UTF-8, which mailparser then reads correctly. Which charset, in this order:
 *  1. the charset the body declares (the sender's client wrote both with the same one, nearly always);
 *  2. a detector (chardet: maintained, pure TypeScript, no native build, the ICU detector's algorithms) run
 *     over the 8-bit header bytes and the start of the body, when it is confident;
 *  3. windows-1252, as before (the WHATWG decoding of the "iso-8859-1" label too).
 * Every candidate must decode the bytes without an error, which rules out most wrong multibyte guesses.
 * Bodies need no help: their charset is declared and mailparser honours it.
 */
export function repairRawHeaders(raw: Buffer): Buffer {
  const end = headerSectionEnd(raw);
  const head = raw.subarray(0, end);
  const escaped = head.includes(ISO_2022_JP_ESCAPE);
  if (isUtf8(head) && !escaped) return raw;

  const lines: Buffer[] = [];
  let start = 0;
  while (start < head.length) {
    const nl = head.indexOf(0x0a, start);
    const stop = nl === -1 ? head.length : nl + 1;
    lines.push(head.subarray(start, stop));
    start = stop;
  }
  const eightBit = lines.filter((line) => !isUtf8(line));
  const charset = eightBit.length === 0 ? null : headerCharset(Buffer.concat(eightBit), head, raw.subarray(end));
  const repaired = lines.map((line) => {
    if (!isUtf8(line) && charset !== null) return Buffer.from(decode(line, charset) ?? decodeWindows1252(line), 'utf8');
    if (!isUtf8(line)) return Buffer.from(decodeWindows1252(line), 'utf8');
    // RFC 1468 ISO-2022-JP is 7-bit: valid UTF-8 to mailparser, which would show the escape sequences.
    if (line.includes(ISO_2022_JP_ESCAPE)) return Buffer.from(decode(line, 'iso-2022-jp') ?? line.toString('latin1'), 'utf8');
    return line;
  });
  return Buffer.concat([...repaired, raw.subarray(end)]);
}

/** ESC `$`: the start of a JIS X 0208 run in ISO-2022-JP (RFC 1468). */
const ISO_2022_JP_ESCAPE = Buffer.from([0x1b, 0x24]);
/** Below this, chardet guesses (its scores on a short Chinese subject are all about 10). */
const CONFIDENT = 50;
const BODY_SAMPLE = 8 * 1024;

function headerCharset(eightBit: Buffer, head: Buffer, body: Buffer): string | null {
  // The top-level Content-Type (a single-part message), else the first part's (a multipart one).
  const declared = declaredCharset(head) ?? declaredCharset(body.subarray(0, 64 * 1024));
  if (declared !== null && !/^(us-ascii|utf-8|utf8)$/.test(declared) && decode(eightBit, declared) !== null) return declared;
  // The body's 8-bit bytes, when it has any, are a longer sample of the same writer's charset.
  const sample = Buffer.concat([eightBit, body.subarray(0, BODY_SAMPLE)]);
  for (const guess of analyse(sample)) {
    if (guess.confidence < CONFIDENT) break;
    const name = guess.name.toLowerCase();
    if (name.startsWith('utf-') || name.startsWith('iso-8859-1')) continue;
    if (decode(eightBit, name) !== null) return name;
  }
  return null;
}

/** The first `charset=` of the body (RFC 2045 §5.1), lower-cased, when Node can decode it. */
function declaredCharset(bytes: Buffer): string | null {
  const match = /charset\s*=\s*"?([A-Za-z0-9._:-]{1,40})/i.exec(bytes.toString('latin1'));
  const name = match?.[1]?.toLowerCase();
  if (name === undefined) return null;
  try {
    new TextDecoder(name);
    return name;
  } catch {
    return null;
  }
}

function decode(bytes: Buffer, charset: string): string | null {
  try {
    return new TextDecoder(charset, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Offset of the blank line that ends the header section (or the whole buffer when there is none). */
function headerSectionEnd(raw: Buffer): number {
  let lineStart = 0;
  while (lineStart < raw.length) {
    const nl = raw.indexOf(0x0a, lineStart);
    if (nl === -1) return raw.length;
    const length = nl - lineStart;
    if (length === 0 || (length === 1 && raw[lineStart] === 0x0d)) return lineStart;
    lineStart = nl + 1;
  }
  return raw.length;
}

/**
 * Node's TextDecoder('windows-1252') decodes as ISO-8859-1 (0x80–0x9F become C1 controls), so the 32
 * positions where the two differ are mapped here; the 5 that windows-1252 leaves undefined stay as they are.
 */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function decodeWindows1252(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) out += (byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH[byte - 0x80] : undefined) ?? String.fromCharCode(byte);
  return out;
}
