import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const src = path.resolve(import.meta.dirname, '../../../src');

/**
 * The layers of ARCHITECTURE.md, top to bottom. An import points to its own layer or a lower one,
 * and the top-level folders and files of `src` import each other without a cycle (type-only
 * imports count: a type pulls its module's room in as much as a value does).
 */
const LAYERS: readonly (readonly string[])[] = [
  ['cli', 'commands', 'main'],
  ['roles'],
  ['app', 'doctor', 'simulation', 'runtime'],
  ['console'],
  ['api', 'intake'],
  ['routing', 'notify'],
  ['tickets'],
  // knowledge: the articles' use cases, on the store alone (the API and the console call them).
  ['rules', 'staffing', 'knowledge'],
  ['store'],
  ['config', 'mail', 'text', 'metrics', 'log', 'errors', 'domain'],
];

interface Import {
  file: string;
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The top-level folder or file of `src` a path belongs to. */
function unitOf(file: string): string {
  const [first = ''] = path.relative(src, file).split(path.sep);
  return first.replace(/\.ts$/, '');
}

// Static imports and re-exports (`import type` too), and dynamic `import('…')`.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm;

function importsOf(file: string, text: string): Import[] {
  return [...text.matchAll(SPECIFIER)].map((match) => {
    const target = path.resolve(path.dirname(file), (match[1] ?? '').replace(/\.js$/, '.ts'));
    return { file: path.relative(src, file), from: unitOf(file), to: unitOf(target) };
  });
}

function layerOf(unit: string): number {
  return LAYERS.findIndex((layer) => layer.includes(unit));
}

/** Imports that climb: from a unit to one in a higher layer. */
function upward(imports: readonly Import[]): string[] {
  return imports.filter((i) => i.from !== i.to && layerOf(i.to) < layerOf(i.from)).map((i) => `${i.file} imports ${i.to}/`);
}

/** The groups of units that reach each other (Tarjan's strongly connected components of more than one). */
function cycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w !== undefined) group.push(w);
      } while (w !== undefined && w !== v);
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

function graph(imports: readonly Import[]): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const { from, to } of imports) {
    if (from === to) continue;
    edges.set(from, (edges.get(from) ?? new Set()).add(to));
  }
  return edges;
}

const files = sourceFiles(src).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
const imports = files.flatMap(({ file, text }) => importsOf(file, text));
const outsideStore = files.filter(({ file }) => unitOf(file) !== 'store');

// What a statement looks like in a string: the verbs and clauses of SQL that no prose here uses.
const SQL = /\b(?:SELECT\s[\s\S]{0,200}?\bFROM\s|INSERT\s+INTO|UPDATE\s+"?[a-z_]+"?\s+SET|DELETE\s+FROM|LISTEN\s|NOTIFY\s|pg_\w+\()/;

describe('the layers of the house', () => {
  it('places every top-level folder and file of src in a layer', () => {
    const units = new Set(files.map(({ file }) => unitOf(file)));
    expect([...units].filter((unit) => layerOf(unit) < 0)).toEqual([]);
  });

  it('has no import from a lower layer to a higher one', () => {
    expect(upward(imports)).toEqual([]);
  });

  it('has no cycle among the top-level folders and files, type-only imports included', () => {
    expect(cycles(graph(imports))).toEqual([]);
  });

  it('lets only store/ know the database: no sequelize, no pg, no SQL text elsewhere', () => {
    const offenders = outsideStore
      .filter(({ text }) => /from '(?:sequelize|pg)'/.test(text) || SQL.test(text))
      .map(({ file }) => path.relative(src, file));
    expect(offenders).toEqual([]);
  });

  it('updates the tickets table in exactly one place', () => {
    const writers = files.flatMap(({ file, text }) =>
      [...text.matchAll(/UPDATE\s+tickets\b|\bTicket\.update\(|\.update\([^)]*\{\s*where/g)].map(() => path.relative(src, file)),
    );
    expect(writers).toEqual(['store/ticket-writer.ts']);
  });
});

describe('the checks themselves', () => {
  it('see a climbing import and a cycle when there is one', () => {
    const planted: Import[] = [
      { file: 'store/x.ts', from: 'store', to: 'tickets' },
      { file: 'tickets/y.ts', from: 'tickets', to: 'store' },
    ];
    expect(upward(planted)).toEqual(['store/x.ts imports tickets/']);
    expect(cycles(graph(planted))).toEqual([['store', 'tickets']]);
  });

  it('read type-only and dynamic imports', () => {
    const file = path.join(src, 'notify', 'x.ts');
    const found = importsOf(file, `import type { A } from '../tickets/a.js';\nconst b = await import('../roles/b.js');`);
    expect(found.map((i) => i.to)).toEqual(['tickets', 'roles']);
  });

  it('see SQL text in a string', () => {
    expect(SQL.test('`UPDATE tickets SET status = $1`')).toBe(true);
    expect(SQL.test("'select the first ticket from the queue'")).toBe(false);
  });
});
