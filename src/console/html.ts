import MarkdownIt from 'markdown-it';

/**
 * HTML that escapes by default. A page is built only from `html\`…\`` templates: every interpolated
 * string or number is escaped for both text and quoted attribute values, so a subject such as
 * `<img src=x onerror=…>` shows as text. There is deliberately no way to insert a raw string; the
 * one exception is `markdown` below, which renders an article through a maintained library.
 */
const BRAND = Symbol('html');

export interface Html {
  readonly [BRAND]: true;
  readonly value: string;
}

/** Only this module makes one, from escaped parts. */
function trusted(value: string): Html {
  return { [BRAND]: true, value };
}

function isHtml(part: unknown): part is Html {
  return typeof part === 'object' && part !== null && BRAND in part;
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (isHtml(part)) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeText(String(part));
}

export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0] ?? '';
  parts.forEach((part, i) => {
    out += render(part) + (strings[i + 1] ?? '');
  });
  return trusted(out);
}

/**
 * The knowledge base's articles are Markdown (GET /kb/:id). markdown-it with `html: false` escapes
 * every HTML tag and entity-like text of the source instead of passing it through, escapes the
 * attributes it writes, and its link validation refuses javascript:, vbscript:, file: and data:
 * URLs (but data: images); no plugin, no linkify. Its output is therefore markup of its own making
 * around escaped text, the only raw HTML a page may hold; the CSP (`default-src 'self'`) still
 * keeps images from other sites out of the page.
 */
const MARKDOWN = new MarkdownIt({ html: false, linkify: false, typographer: false });

export function markdown(source: string): Html {
  return trusted(MARKDOWN.render(source));
}

/**
 * Data for the page's script, in a block the browser never executes (CSP allows no inline script
 * anyway). `<` is escaped so that no value can close the element (HTML §4.12.1.3).
 */
export function jsonScript(id: string, value: unknown): Html {
  const json = JSON.stringify(value).replace(/</g, '\\u003c');
  return html`<script type="application/json" id="${id}">
    ${trusted(json)}
  </script>`;
}
