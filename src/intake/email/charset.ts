import { isUtf8 } from 'node:buffer';

/**
 * Headers must be ASCII (RFC 5322 §2.2) or UTF-8 (RFC 6532), but old clients and scripts still send raw
 * ISO-8859-1 / windows-1252 bytes in Subject or From. mailparser decodes raw header bytes as UTF-8 and
 * turns those into U+FFFD, losing the text. Before parsing, each top-level header line that is not valid
 * UTF-8 is re-encoded from windows-1252 (the WHATWG decoding of the "iso-8859-1" label too) to UTF-8, which
 * mailparser then reads correctly. Bodies need no help: their charset is declared and mailparser honours it.
 */
export function repairRawHeaders(raw: Buffer): Buffer {
  const end = headerSectionEnd(raw);
  const head = raw.subarray(0, end);
  if (isUtf8(head)) return raw;

  const lines: Buffer[] = [];
  let start = 0;
  while (start < head.length) {
    const nl = head.indexOf(0x0a, start);
    const stop = nl === -1 ? head.length : nl + 1;
    const line = head.subarray(start, stop);
    lines.push(isUtf8(line) ? line : Buffer.from(decodeWindows1252(line), 'utf8'));
    start = stop;
  }
  return Buffer.concat([...lines, raw.subarray(end)]);
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
