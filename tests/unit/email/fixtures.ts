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

/** An email as the parser gives it, from a client to the desk; `o` overrides any field. */
export function inboundEmail(o: Partial<InboundEmail> = {}): InboundEmail {
  return {
    messageId: 'm1@client.example',
    messageIdSynthesized: false,
    inReplyTo: null,
    references: [],
    from: { name: null, address: 'someone@client.example' },
    replyTo: null,
    to: [{ name: null, address: 'helpdesk@desk.example' }],
    cc: [],
    subject: 'A subject',
    text: 'A text.',
    html: null,
    date: null,
    headers: {},
    attachments: [],
    omitted: [],
    report: null,
    ...o,
  };
}
