import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const DOCS = ['README.md', 'ARCHITECTURE.md', 'BENCHMARKS.md'];

/**
 * What a newcomer clicks or copies from the docs: markdown links, and back-quoted paths that climb
 * out with `../`. A clone holds only the repository, so each must resolve to a file inside it.
 */
function referencedPaths(markdown: string): string[] {
  const links = [...markdown.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)].map((m) => m[1] ?? '');
  const quoted = [...markdown.matchAll(/`(\.\.\/[^`\s]+)`/g)].map((m) => m[1] ?? '');
  return [...links, ...quoted].filter((p) => p !== '' && !/^[a-z]+:/i.test(p));
}

describe('the docs a newcomer reads', () => {
  for (const doc of DOCS) {
    it(`${doc} points only at files the repository holds`, () => {
      const text = readFileSync(path.join(root, doc), 'utf8');
      const missing = referencedPaths(text).filter((p) => {
        const target = path.resolve(root, p);
        return !target.startsWith(`${root}${path.sep}`) || !existsSync(target);
      });
      expect(missing).toEqual([]);
    });
  }

  it('catches a link out of the repository, as README once had', () => {
    expect(referencedPaths('see `../shared/ARCHITECTURE.md` and [x](docs/a.md)')).toEqual(['docs/a.md', '../shared/ARCHITECTURE.md']);
  });
});
