/**
 * RFC 3676 format=flowed, decoded with its quote depth.
 *
 * mailparser decodes flowed text itself (libmime.decodeFlowed), but joins a line ending in a space to
 * the next whatever their quote depths: "> first half " + "> second half" becomes
 * "> first half > second half", and a quoted line can swallow the new text under it, so reply stripping
 * sees one glued line. We therefore hide the flowed parameter from mailparser (hideFlowed) and decode
 * the text part here (decodeFlowed).
 */

interface Flowed {
  delSp: boolean;
}

const FLOWED_PARAM = /;\s*format\s*=\s*"?flowed"?/i;
const DELSP_YES = /;\s*delsp\s*=\s*"?yes"?/i;
const BOUNDARY = /;\s*boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))/i;
const MAX_HEADER_SECTION_LINES = 200;

/**
 * The raw message with format=flowed taken out of the Content-Type of its text/plain parts, and how
 * they were flowed (null: none was). Only the message's own header sections are touched (its top and
 * the parts after the boundaries it declares), never an attached message's, so attachments keep
 * their bytes.
 */
export function hideFlowed(raw: Buffer): { raw: Buffer; flowed: Flowed | null } {
  const text = raw.toString('latin1');
  if (!/format\s*=\s*"?flowed/i.test(text)) return { raw, flowed: null };
  const lines = text.split('\n');
  const boundaries = new Set<string>();
  let flowed: Flowed | null = null;
  let changed = false;
  const readSection = (from: number): void => {
    let end = from;
    while (end < lines.length && end - from < MAX_HEADER_SECTION_LINES && (lines[end] ?? '').replace(/\r$/, '') !== '') end++;
    // Content-Type may be folded over lines (RFC 5322 §2.2.3): take the field with its continuation lines.
    for (let i = from; i < end; i++) {
      if (!/^content-type\s*:/i.test(lines[i] ?? '')) continue;
      let last = i;
      while (last + 1 < end && /^[ \t]/.test(lines[last + 1] ?? '')) last++;
      const field = lines.slice(i, last + 1).join('\n');
      const boundary = BOUNDARY.exec(field);
      if (/^content-type\s*:\s*multipart\//i.test(field) && boundary) boundaries.add(boundary[1] ?? boundary[2] ?? '');
      if (/^content-type\s*:\s*text\/plain/i.test(field) && FLOWED_PARAM.test(field)) {
        flowed = { delSp: DELSP_YES.test(field) };
        const plain = field.replace(FLOWED_PARAM, '').split('\n');
        // The parameter may sit on a folded line of its own: the field can lose lines.
        lines.splice(i, last - i + 1, ...plain);
        end -= last - i + 1 - plain.length;
        last = i + plain.length - 1;
        changed = true;
      }
      i = last;
    }
  };
  readSection(0);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '').trimEnd();
    if (line.startsWith('--') && boundaries.has(line.slice(2))) readSection(i + 1);
  }
  return changed ? { raw: Buffer.from(lines.join('\n'), 'latin1'), flowed } : { raw, flowed: null };
}

/**
 * RFC 3676 §4.2–4.5: a line ending in a space (a soft break) joins the next line of the same quote
 * depth; a change of depth, an empty line or the signature separator "-- " ends the paragraph;
 * space-stuffing is removed; with DelSp=yes the space before a soft break goes too.
 */
export function decodeFlowed(text: string, flowed: Flowed): string {
  const out: string[] = [];
  let paragraph: string[] | null = null;
  let depth = -1;
  let prefix = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    let d = 0;
    while (line[d] === '>') d++;
    let content = line.slice(d);
    if (content.startsWith(' ')) content = content.slice(1);
    const quote = d > 0 ? `${'>'.repeat(d)} ` : '';
    if (paragraph !== null && d !== depth) {
      // §4.5: a soft break before a change of depth is an error; the paragraph ends there.
      out.push(prefix + paragraph.join(''));
      paragraph = null;
    }
    const isSignature = content === '-- ';
    const soft = content.endsWith(' ') && !isSignature;
    const piece = soft && flowed.delSp ? content.slice(0, -1) : content;
    if (paragraph === null) {
      paragraph = [];
      depth = d;
      prefix = d > 0 && piece !== '' ? quote : '>'.repeat(d);
    }
    paragraph.push(piece);
    if (!soft) {
      out.push(prefix + paragraph.join(''));
      paragraph = null;
    }
  }
  if (paragraph !== null) out.push(prefix + paragraph.join(''));
  return out.join('\n');
}
