import { convert, type HtmlToTextOptions } from 'html-to-text';
import { Parser } from 'htmlparser2';

/**
 * The text of an email's HTML, for a message that has no plain-text part.
 *
 * html-to-text gives the best text (tables, lists, links) but walks the DOM recursively: 10,000
 * nested elements overflow the stack. Mail that deep is never written by a person's client, so HTML
 * nested deeper than MAX_DEPTH (or that html-to-text fails on for any other reason) is read flat
 * instead: htmlparser2's streaming parser, one pass, no recursion, keeping the text and breaking lines
 * at block elements. Either way only the first MAX_HTML_CHARS characters are read.
 */

/** 2 MB of markup is hundreds of pages of text; beyond it, what a sender wrote is not read. */
export const MAX_HTML_CHARS = 2 * 1024 * 1024;
/** Newsletters built of nested tables reach a few dozen levels; hundreds are a machine's doing. */
const MAX_DEPTH = 200;

const OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
  // Our own cut is made before; html-to-text's would also print a console warning.
  limits: { maxInputLength: MAX_HTML_CHARS, maxDepth: MAX_DEPTH },
};

export function htmlToText(html: string): string {
  const markup = html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html;
  const flat = flatText(markup);
  if (flat.depth > MAX_DEPTH) return flat.text;
  try {
    return convert(markup, OPTIONS);
  } catch {
    return flat.text;
  }
}

const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'dd', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure',
  'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'li', 'main', 'nav', 'ol', 'p', 'pre',
  'section', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul',
]);
/** Void elements that break a line: once, at their (only) tag. */
const BREAKS = new Set(['br', 'hr']);
const HIDDEN = new Set(['script', 'style', 'head', 'title', 'template']);

/** The text nodes in document order, a line break at each block, and the deepest nesting seen. */
function flatText(markup: string): { text: string; depth: number } {
  const out: string[] = [];
  let depth = 0;
  let deepest = 0;
  let hidden = 0;
  const parser = new Parser(
    {
      onopentagname(name) {
        deepest = Math.max(deepest, ++depth);
        if (HIDDEN.has(name)) hidden++;
        if (BLOCKS.has(name) || BREAKS.has(name)) out.push('\n');
      },
      onclosetag(name) {
        depth = Math.max(0, depth - 1);
        if (HIDDEN.has(name)) hidden = Math.max(0, hidden - 1);
        if (BLOCKS.has(name)) out.push('\n');
      },
      ontext(text) {
        if (hidden === 0) out.push(text);
      },
    },
    { decodeEntities: true },
  );
  parser.write(markup);
  parser.end();
  const text = out
    .join('')
    .split('\n')
    .map((line) => line.replace(/[ \t\r\f\v\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text, depth: deepest };
}
