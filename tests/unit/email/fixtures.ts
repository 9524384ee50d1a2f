import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseEmail, type ParseLimits } from '../../../src/intake/email/parse.js';
import { type InboundEmail } from '../../../src/intake/email/types.js';

const DIR = fileURLToPath(new URL('../../fixtures/email/', import.meta.url));

export const GENEROUS: ParseLimits = { maxAttachmentBytes: 10 * 1024 * 1024, maxMessageBytes: 25 * 1024 * 1024 };

export function rawFixture(name: string): Buffer {
  return readFileSync(DIR + name);
}

export function parseFixture(name: string, limits: ParseLimits = GENEROUS): Promise<InboundEmail> {
  return parseEmail(rawFixture(name), limits);
}
