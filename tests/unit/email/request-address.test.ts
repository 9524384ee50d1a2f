import { describe, expect, it } from 'vitest';
import { sentToRequestAddress } from '../../../src/intake/email/open-request.js';
import type { InboundEmail } from '../../../src/intake/email/types.js';
import { inboundEmail } from './fixtures.js';

const REQUESTS = 'requests@desk.example';

function email(o: Partial<InboundEmail>): InboundEmail {
  return inboundEmail({ from: { name: null, address: 'eve@client.example' }, subject: 'CRM access', text: 'Application: CRM', ...o });
}

describe('sentToRequestAddress', () => {
  it('reads To and Cc', () => {
    expect(sentToRequestAddress(email({ to: [{ name: 'IT requests', address: REQUESTS }] }), REQUESTS)).toBe(true);
    expect(sentToRequestAddress(email({ cc: [{ name: null, address: REQUESTS }] }), REQUESTS)).toBe(true);
    expect(sentToRequestAddress(email({}), REQUESTS)).toBe(false);
  });

  it('finds a Bcc where the delivery names it: RCPT TO, Delivered-To or X-Original-To, bare or in angle brackets, any case', () => {
    expect(sentToRequestAddress(email({ envelopeTo: ['helpdesk@desk.example', REQUESTS] }), REQUESTS)).toBe(true);
    expect(sentToRequestAddress(email({ headers: { 'delivered-to': ['Requests@Desk.example'] } }), REQUESTS)).toBe(true);
    expect(sentToRequestAddress(email({ headers: { 'x-original-to': [' <requests@desk.example> '] } }), REQUESTS)).toBe(true);
  });

  it('is not fooled by a delivery to another address, nor by the address inside a longer one', () => {
    expect(sentToRequestAddress(email({ envelopeTo: ['helpdesk@desk.example'] }), REQUESTS)).toBe(false);
    expect(
      sentToRequestAddress(email({ headers: { 'delivered-to': ['helpdesk@desk.example', 'it-requests@desk.example'] } }), REQUESTS),
    ).toBe(false);
  });

  it('is never true without a request address configured', () => {
    expect(sentToRequestAddress(email({ envelopeTo: [REQUESTS] }), undefined)).toBe(false);
  });
});
