import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { VOICE_TWIML, type TwimlVocabulary } from '../../support/twiml-vocabulary.js';

/** A TwiML document as a plain tree, for assertions. */
export interface TwimlNode {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: TwimlNode[];
}

type Raw = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
});

export function parseTwiml(xml: string): TwimlNode {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not XML: ${valid.err.msg}\n${xml}`);
  const roots = (parser.parse(xml) as Raw[]).map(toNode).filter((n): n is TwimlNode => n !== null && n.name !== '?xml');
  const [root, ...others] = roots;
  if (root === undefined || others.length > 0) throw new Error(`expected one root element\n${xml}`);
  return root;
}

function toNode(raw: Raw): TwimlNode | null {
  const name = Object.keys(raw).find((k) => k !== ':@');
  if (name === undefined || name === '#text') return null;
  const attrs = (raw[':@'] ?? {}) as Record<string, string>;
  const content = (raw[name] ?? []) as Raw[];
  const children: TwimlNode[] = [];
  let text = '';
  for (const item of content) {
    if ('#text' in item) text += String(item['#text']);
    else {
      const child = toNode(item);
      if (child) children.push(child);
    }
  }
  return { name, attrs, text, children };
}

/** Everything wrong with a document against Twilio's documented vocabulary; empty when it is fine. */
export function twimlProblems(xml: string, vocabulary: TwimlVocabulary = VOICE_TWIML): string[] {
  let root: TwimlNode;
  try {
    root = parseTwiml(xml);
  } catch (err) {
    return [(err as Error).message];
  }
  const problems: string[] = [];
  if (root.name !== 'Response') problems.push(`root is <${root.name}>, not <Response>`);
  const visit = (node: TwimlNode, path: string): void => {
    const spec = vocabulary[node.name];
    if (spec === undefined) {
      problems.push(`${path}: <${node.name}> is not a documented element`);
      return;
    }
    for (const attr of Object.keys(node.attrs)) {
      if (!spec.attributes.includes(attr)) problems.push(`${path}: ${attr}="…" is not a documented attribute of <${node.name}>`);
    }
    if (!spec.text && node.text.trim() !== '') problems.push(`${path}: <${node.name}> takes no text`);
    for (const child of node.children) {
      if (!spec.children.includes(child.name)) problems.push(`${path}: <${child.name}> may not be inside <${node.name}>`);
      visit(child, `${path}/${child.name}`);
    }
  };
  visit(root, root.name);
  return problems;
}

export function findAll(node: TwimlNode, name: string): TwimlNode[] {
  const found = node.name === name ? [node] : [];
  return found.concat(...node.children.map((c) => findAll(c, name)));
}

export function find(node: TwimlNode, name: string): TwimlNode | undefined {
  return findAll(node, name)[0];
}

/** What the caller hears, in order. */
export function spoken(node: TwimlNode): string[] {
  return findAll(node, 'Say').map((s) => s.text);
}

/** Every URL the document hands to Twilio (actions, callbacks, redirects). */
export function urlsOf(node: TwimlNode): string[] {
  const urls: string[] = [];
  const all = (n: TwimlNode): TwimlNode[] => [n, ...n.children.flatMap(all)];
  for (const n of all(node)) {
    for (const [k, v] of Object.entries(n.attrs)) if (k === 'action' || /Callback$/.test(k)) urls.push(v);
    if (n.name === 'Redirect') urls.push(n.text);
  }
  return urls;
}
