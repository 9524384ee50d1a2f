/**
 * What is left of a message mailparser refused, cut down to what it can read. mailparser (mailsplit)
 * stops at 1,000 MIME nodes and at 1 MB of headers in one node, and gives up on the whole message;
 * a requester's problem should not be lost to their client's (or an attacker's) excess. The contract
 * quarantines only a message with no header field at all: anything else becomes a ticket, lands on
 * one, or is filtered, with what could be read.
 *
 * Two cuts, the gentler first:
 * 1. parts: the header section (at most MAX_HEADER_BYTES, the last field kept cut inside its value) and the body up to its
 *    MAX_PART_LINES-th line starting with "--" (every MIME part starts with such a boundary line,
 *    RFC 2046 §5.1.1), so at most that many parts are read;
 * 2. flat: the header section alone, the body read as plain text without its boundary lines and part
 *    headers (at most MAX_FLAT_BODY_BYTES).
 */

/** Fewer than half mailsplit's 1,000 nodes: an embedded message/rfc822 part counts twice. */
const MAX_PART_LINES = 400;
const MAX_HEADER_BYTES = 256 * 1024;
const MAX_FLAT_BODY_BYTES = 1024 * 1024;

/** The message with its header section capped and its body cut before its MAX_PART_LINES-th part. */
export function cutParts(raw: Buffer): Buffer {
  const { head, bodyStart } = headerSection(raw);
  return Buffer.concat([head, raw.subarray(bodyStart, nthBoundaryLine(raw, bodyStart, MAX_PART_LINES))]);
}

/** The header section, without what it says of MIME, and an empty body; and the body, as plain text. */
export function cutFlat(raw: Buffer): { headers: Buffer; body: string } {
  const { head, bodyStart } = headerSection(raw);
  return {
    headers: Buffer.concat([withoutMimeFields(head), Buffer.from('\r\n')]),
    body: flatBody(raw, bodyStart),
  };
}

/**
 * The body's lines without its MIME scaffolding: a boundary line and the header block of the part it
 * opens (up to the part's blank line) are left out; at most MAX_FLAT_BODY_BYTES are kept.
 */
function flatBody(raw: Buffer, from: number): string {
  const kept: Buffer[] = [];
  let size = 0;
  let inPartHeader = false;
  for (let at = from; at < raw.length && size < MAX_FLAT_BODY_BYTES;) {
    const nl = raw.indexOf(0x0a, at);
    const next = nl === -1 ? raw.length : nl + 1;
    if (raw[at] === 0x2d && raw[at + 1] === 0x2d) inPartHeader = true;
    else if (inPartHeader) inPartHeader = next - at > 2 || (raw[at] !== 0x0a && raw[at] !== 0x0d);
    else {
      kept.push(raw.subarray(at, Math.min(next, at + MAX_FLAT_BODY_BYTES - size)));
      size += next - at;
    }
    at = next;
  }
  return Buffer.concat(kept).toString('utf8');
}

/**
 * The header section up to its blank line (included); past MAX_HEADER_BYTES, its first MAX_HEADER_BYTES
 * (the last field kept cut inside its value), then a blank line.
 */
function headerSection(raw: Buffer): { head: Buffer; bodyStart: number } {
  let lineStart = 0;
  // The start of the first field that begins past the cap: where the kept header section ends.
  let cutAt = -1;
  while (lineStart < raw.length) {
    const nl = raw.indexOf(0x0a, lineStart);
    const next = nl === -1 ? raw.length : nl + 1;
    const blank = next - lineStart <= 2 && (raw[lineStart] === 0x0a || raw[lineStart] === 0x0d);
    if (blank) break;
    const folded = raw[lineStart] === 0x20 || raw[lineStart] === 0x09;
    if (!folded && cutAt === -1 && lineStart > MAX_HEADER_BYTES) cutAt = lineStart;
    lineStart = next;
  }
  const nl = raw.indexOf(0x0a, lineStart);
  const bodyStart = lineStart >= raw.length ? raw.length : nl === -1 ? raw.length : nl + 1;
  if (cutAt === -1 && lineStart <= MAX_HEADER_BYTES) return { head: raw.subarray(0, bodyStart), bodyStart };
  // A field running past the cap is cut inside its value, and its line ended.
  const end = Math.min(cutAt === -1 ? lineStart : cutAt, MAX_HEADER_BYTES);
  const ending = raw[end - 1] === 0x0a ? '\r\n' : '\r\n\r\n';
  return { head: Buffer.concat([raw.subarray(0, end), Buffer.from(ending)]), bodyStart };
}

/** Offset of the n-th line starting with "--" at or after `from`, or the end of the buffer. */
function nthBoundaryLine(raw: Buffer, from: number, n: number): number {
  let seen = 0;
  let at = from;
  while (at < raw.length) {
    if (raw[at] === 0x2d && raw[at + 1] === 0x2d && ++seen >= n) return at;
    const nl = raw.indexOf(0x0a, at);
    if (nl === -1) break;
    at = nl + 1;
  }
  return raw.length;
}

/** The header section without Content-Type and Content-Transfer-Encoding (and their folded lines). */
function withoutMimeFields(head: Buffer): Buffer {
  const kept: Buffer[] = [];
  let dropping = false;
  let lineStart = 0;
  while (lineStart < head.length) {
    const nl = head.indexOf(0x0a, lineStart);
    const next = nl === -1 ? head.length : nl + 1;
    const line = head.subarray(lineStart, next);
    const folded = line[0] === 0x20 || line[0] === 0x09;
    if (!folded) dropping = /^content-(?:type|transfer-encoding)[ \t]*:/i.test(line.subarray(0, 40).toString('latin1'));
    if (!dropping) kept.push(line);
    lineStart = next;
  }
  return Buffer.concat(kept);
}
