import { convert, type HtmlToTextOptions } from 'html-to-text';
import { Tokenizer, type TokenizerCallbacks } from 'htmlparser2';

/**
 * The text of an email's HTML, for a message that has no plain-text part.
 *
 * html-to-text gives the best text (tables, lists, links) but is not made for hostile markup: its DOM
 * walk is recursive (10,000 nested elements overflow the stack), htmlparser2's parser beneath it keeps
 * its element stack with Array.unshift (quadratic in the depth: 400,000 unclosed <div> took 33 s), and
 * its table layout grows faster than the number of cells. A person's mail client writes neither
 * thousands of levels nor tens of thousands of elements, so markup past MAX_DEPTH or MAX_ELEMENTS (or
 * that html-to-text fails on) is read flat instead: htmlparser2's tokenizer alone, one linear pass with
 * no stack, keeping the text and breaking lines at block elements. Either way only the first
 * MAX_HTML_CHARS characters are read.
 */

/** 1 MB of markup is hundreds of pages of text; beyond it, what a sender wrote is not read. */
const MAX_HTML_CHARS = 1024 * 1024;
/** Newsletters built of nested tables reach a few dozen levels; hundreds are a machine's doing. */
const MAX_DEPTH = 200;
/** A long newsletter has a few thousand elements. */
const MAX_ELEMENTS = 10_000;

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
  if (flat.depth > MAX_DEPTH || flat.elements > MAX_ELEMENTS) return flat.text;
  try {
    return convert(markup, OPTIONS);
  } catch {
    return flat.text;
  }
}

const BLOCKS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'dd',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
]);
/** Void elements (HTML §13.1.2): no closing tag, no depth; br and hr also break a line. */
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const BREAKS = new Set(['br', 'hr']);
const HIDDEN = new Set(['script', 'style', 'head', 'title', 'template']);

/**
 * The text in document order, a line break at each block, with how many elements the markup opens
 * and how deep it nests them (an estimate: an element left open counts as nesting, as it does for a
 * browser, and a stray closing tag does not lower it, so that it can never hide depth).
 */
function flatText(markup: string): { text: string; depth: number; elements: number } {
  const out: string[] = [];
  let open = 0;
  let deepest = 0;
  let elements = 0;
  let hidden = 0;
  const name = (start: number, end: number) => markup.slice(start, end).toLowerCase();
  const ignore = () => {};
  const callbacks: TokenizerCallbacks = {
    onopentagname(start, end) {
      const tag = name(start, end);
      elements++;
      if (!VOID.has(tag)) deepest = Math.max(deepest, ++open);
      if (HIDDEN.has(tag)) hidden++;
      if (BLOCKS.has(tag) || BREAKS.has(tag)) out.push('\n');
    },
    onclosetag(start, end) {
      const tag = name(start, end);
      if (HIDDEN.has(tag)) hidden = Math.max(0, hidden - 1);
      if (BLOCKS.has(tag)) out.push('\n');
    },
    ontext(start, end) {
      if (hidden === 0) out.push(markup.slice(start, end));
    },
    ontextentity(codepoint) {
      if (hidden === 0) out.push(String.fromCodePoint(codepoint));
    },
    oncdata: ignore,
    onattribdata: ignore,
    onattribentity: ignore,
    onattribend: ignore,
    onattribname: ignore,
    oncomment: ignore,
    ondeclaration: ignore,
    onend: ignore,
    onopentagend: ignore,
    onprocessinginstruction: ignore,
    onselfclosingtag: ignore,
  };
  const tokenizer = new Tokenizer({ decodeEntities: true }, callbacks);
  tokenizer.write(markup);
  tokenizer.end();
  const text = out
    .join('')
    .split('\n')
    .map((line) => line.replace(/[ \t\r\f\v\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text, depth: deepest, elements };
}
