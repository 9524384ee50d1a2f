import { describe, expect, it } from 'vitest';
import { splitReply } from '../../../src/intake/email/quoted.js';

/** Shapes that make a backtracking pattern stall, one per family of reply-patterns.ts. */
const HOSTILE = [
  'x'.repeat(1_000_000),
  `On ${'3 '.repeat(500_000)}`,
  Array.from({ length: 5_000 }, () => '-'.repeat(399)).join('\n'),
  Array.from({ length: 5_000 }, () => `--${' message'.repeat(40)}`).join('\n'),
  Array.from({ length: 5_000 }, () => `3 ${'<a@b> '.repeat(60)}:`).join('\n'),
  Array.from({ length: 5_000 }, () => `${'schrieb '.repeat(45)}:`).join('\n'),
  Array.from({ length: 5_000 }, () => `${'1'.repeat(390)}写道`).join('\n'),
  Array.from({ length: 5_000 }, () => `Von meinem ${'x'.repeat(380)}`).join('\n'),
  Array.from({ length: 5_000 }, () => `Outlook ${'ios '.repeat(90)}`).join('\n'),
  Array.from({ length: 5_000 }, () => `Enviado el${' '.repeat(300)}:`).join('\n'),
];

describe('reply stripping on hostile input', () => {
  it('stays linear: each shape of about 1 MB is split well within a second', () => {
    for (const text of HOSTILE) {
      const started = performance.now();
      splitReply(text);
      expect(performance.now() - started, text.slice(0, 40)).toBeLessThan(1_000);
    }
  });
});
