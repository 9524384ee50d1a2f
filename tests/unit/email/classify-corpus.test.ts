import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyEmail, type ClassifyOptions } from '../../../src/intake/email/auto-reply.js';
import { parseFixture } from './fixtures.js';

/**
 * The bounce and auto-reply corpus of issue #14 (tests/fixtures/email/bounces/make-corpus.py writes it from the
 * mail systems' documented formats): each must open no ticket, and a failure must name our message and the
 * address that failed, so that the outbound message is marked failed with who did not get it.
 */

interface Case {
  file: string;
  system: string;
  kind: 'bounce' | 'auto-reply';
  failed?: boolean;
  originalMessageId?: string;
  failedRecipient?: string;
}

const MANIFEST: Case[] = JSON.parse(readFileSync(new URL('../../fixtures/email/bounces/manifest.json', import.meta.url), 'utf8')) as Case[];

const US: ClassifyOptions = {
  ourAddresses: ['helpdesk@acme.example'],
  ourDomains: ['helpdesk.acme.example'],
  ourMessageIdSuffix: '@helpdesk.acme.example',
};

describe('the bounce and auto-reply corpus', () => {
  it('has at least 120 cases of both kinds', () => {
    expect(MANIFEST.length).toBeGreaterThanOrEqual(120);
    expect(MANIFEST.filter((c) => c.kind === 'bounce').length).toBeGreaterThanOrEqual(60);
    expect(MANIFEST.filter((c) => c.kind === 'auto-reply').length).toBeGreaterThanOrEqual(60);
  });

  it.each(MANIFEST.map((c) => [c.file, c] as const))('%s', async (_file, expected) => {
    const result = classifyEmail(await parseFixture(expected.file), US);
    expect(result.kind).toBe(expected.kind);
    if (result.kind !== 'bounce') return;
    expect(result.failed).toBe(expected.failed);
    if (expected.originalMessageId !== undefined) expect(result.originalMessageIds).toContain(expected.originalMessageId);
    // "expired for …": RFC 3464 Action: expired, read as a failure (report.ts).
    if (expected.failedRecipient !== undefined)
      expect(result.reason).toMatch(new RegExp(`(failed|expired) for ${escape(expected.failedRecipient)}\\b`));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
