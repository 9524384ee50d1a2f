import { describe, expect, it } from 'vitest';
import { classifyEmail, type ClassifiableEmail } from '../../../src/intake/email/auto-reply.js';

/** The last-resort rules (subjects, notices) must not take a person's mail for a machine's. */

function email(overrides: Partial<ClassifiableEmail>): ClassifiableEmail {
  return {
    messageId: 'CAB1234@mail.example.com',
    inReplyTo: null,
    references: [],
    from: { name: 'Ana Lopez', address: 'ana.lopez@example.com' },
    headers: {},
    text: 'Could you have a look?',
    report: null,
    subject: 'Printer',
    ...overrides,
  };
}

describe("classifyEmail: last-resort rules stay off a person's mail", () => {
  it.each([
    'Delivery report for March is missing',
    'Returned mail room keys',
    'Failed delivery of the new laptops',
    'Re: Undeliverable: invoice',
  ])('a new message titled "%s" is from a person', (subject) => {
    expect(classifyEmail(email({ subject }))).toEqual({ kind: 'human' });
  });

  it('the same subject from a mail system answering our message is a bounce', () => {
    const result = classifyEmail(email({ subject: 'Undeliverable: [HD-12] Printer', inReplyTo: 'hd-12.a@helpdesk.acme.example' }));
    expect(result).toMatchObject({ kind: 'bounce', failed: true, originalMessageIds: ['hd-12.a@helpdesk.acme.example'] });
  });

  it('a monitoring alert from a no-reply address is work, a JSON notification from one is not', () => {
    const alert = email({ from: { name: null, address: 'no-reply@monitor.example' }, text: 'Disk /data is 98% full.' });
    expect(classifyEmail(alert)).toEqual({ kind: 'human' });
    const json = email({ from: { name: null, address: 'no-reply@sns.amazonaws.com' }, text: '{"Type":"Notification"}' });
    expect(classifyEmail(json)).toMatchObject({ kind: 'auto-reply' });
  });

  it('a delay notice from a null sender is a report, not a failure', () => {
    const delay = email({
      from: null,
      headers: { from: ['MAILER-DAEMON <>'] },
      subject: 'Delivery Status Notification (Delay)',
      text: 'Your message has not yet been delivered. The mail system will continue to try.',
    });
    expect(classifyEmail(delay)).toMatchObject({ kind: 'bounce', failed: false });
  });
});
