import { describe, expect, it } from 'vitest';
import { jsonb } from '../../../src/store/jsonb.js';

describe('jsonb parameters', () => {
  it('turns a lone surrogate (an emoji cut in half) into U+FFFD, as a text parameter would', () => {
    const cut = 'Printer 🖨'.slice(0, -1);
    expect(JSON.parse(jsonb({ subject: cut }))).toEqual({ subject: 'Printer \ufffd' });
  });

  it('leaves whole emoji, literal backslashes and ordinary escapes as they are', () => {
    const value = { subject: 'Printer 🖨 C:\\ud800 "quoted"\n', n: 3 };
    expect(jsonb(value)).toBe(JSON.stringify(value));
    expect(JSON.parse(jsonb(value))).toEqual(value);
  });

  it('replaces a lone low surrogate after an escaped backslash', () => {
    expect(JSON.parse(jsonb(['\\' + '\udc00']))).toEqual(['\\\ufffd']);
  });
});
