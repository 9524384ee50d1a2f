import { describe, expect, it } from 'vitest';
import { classifyEmail, type ClassifiableEmail, type ClassifyOptions } from '../../../src/intake/email/auto-reply.js';
import { isNoReplyAddress } from '../../../src/mail/addresses.js';
import { type EmailHeaders } from '../../../src/intake/email/types.js';
import { parseFixture } from './fixtures.js';

const US: ClassifyOptions = {
  ourAddresses: ['helpdesk@acme.example', 'urgent@acme.example'],
  ourDomains: ['helpdesk.acme.example'],
  ourMessageIdSuffix: '@helpdesk.acme.example',
};

async function classifyFixture(name: string) {
  return classifyEmail(await parseFixture(name), US);
}

describe('classifyEmail: the fixtures', () => {
  it.each([
    'gmail-en-new.eml',
    'gmail-fr-reply.eml',
    'outlook-fr-windows1252.eml',
    'outlook-android-en-base64.eml',
    'apple-mail-de-attachments.eml',
    'thunderbird-fr-latin1-flowed.eml',
    'iphone-fr-reply.eml',
    'gmx-de-iso8859-15.eml',
    'html-only-fr-iso8859-15.eml',
    'intranet-form-no-message-id.eml',
    'becky-ja-iso2022jp.eml',
    'malformed-truncated.eml',
  ])('%s is from a person', async (name) => {
    expect(await classifyFixture(name)).toEqual({ kind: 'human' });
  });

  it('a Sieve vacation reply is an auto-reply (Auto-Submitted, RFC 3834)', async () => {
    expect(await classifyFixture('vacation-auto-replied-fr.eml')).toEqual({
      kind: 'auto-reply',
      reason: 'Auto-Submitted: auto-replied (vacation) (RFC 3834)',
    });
  });

  it('an Exchange out-of-office is an auto-reply (X-Auto-Response-Suppress: All)', async () => {
    expect(await classifyFixture('outlook-oof-fr.eml')).toEqual({
      kind: 'auto-reply',
      reason: 'X-Auto-Response-Suppress: All (Exchange automatic message)',
    });
  });

  it('a newsletter is an auto-reply (Precedence: bulk)', async () => {
    expect(await classifyFixture('precedence-bulk-newsletter.eml')).toEqual({ kind: 'auto-reply', reason: 'Precedence: bulk' });
  });

  it('a Postfix DSN is a failed bounce naming our message', async () => {
    expect(await classifyFixture('dsn-postfix-failed.eml')).toEqual({
      kind: 'bounce',
      reason: 'delivery status notification (RFC 3464): failed for paul.durand@example.org (5.1.1)',
      originalMessageIds: ['hd-1049.20260303T120000.a36b7d@helpdesk.acme.example'],
      failed: true,
    });
  });

  it('a delay warning is a report about our message, but nothing failed', async () => {
    expect(await classifyFixture('dsn-postfix-delayed.eml')).toEqual({
      kind: 'bounce',
      reason: 'delivery status notification (RFC 3464): delayed for achats@fournisseur.example (4.4.1)',
      originalMessageIds: ['hd-1053.20260303T115840.7e9f0a@helpdesk.acme.example'],
      failed: false,
    });
  });

  it('an Exchange NDR returning the whole message/rfc822 names our message', async () => {
    expect(await classifyFixture('dsn-exchange-ndr-rfc822.eml')).toEqual({
      kind: 'bounce',
      reason: 'delivery status notification (RFC 3464): failed for lea.simon@example.org (5.1.10)',
      originalMessageIds: ['hd-1051.20260303T132040.5c6d7e@helpdesk.acme.example'],
      failed: true,
    });
  });

  it('a read receipt (RFC 8098) names our message and is not a failure', async () => {
    expect(await classifyFixture('mdn-read-receipt-fr.eml')).toEqual({
      kind: 'bounce',
      reason: 'message disposition notification (RFC 8098, read receipt): displayed',
      originalMessageIds: ['hd-1050.20260303T130000.c58d9e@helpdesk.acme.example'],
      failed: false,
    });
  });

  it('a free-text bounce from MAILER-DAEMON finds our Message-ID in the returned copy', async () => {
    expect(await classifyFixture('mailer-daemon-qmail.eml')).toEqual({
      kind: 'bounce',
      reason:
        'sent by mailer-daemon@mail.example.net, a mail system, without a delivery status report: failed for hugo.lambert@example.net',
      originalMessageIds: ['hd-1054.20260303T144508.9a0b1c@helpdesk.acme.example'],
      failed: true,
    });
  });

  it('our own acknowledgement coming back is a loop, before its Auto-Submitted counts', async () => {
    expect(await classifyFixture('own-message-id-returned.eml')).toEqual({
      kind: 'loop',
      reason: 'its Message-ID <hd-1052.20260303T150000.0b7c8d@helpdesk.acme.example> is one we generated: our own message came back',
    });
  });

  it('a message carrying our X-Loop is a loop', async () => {
    expect(await classifyFixture('x-loop-redirected.eml')).toEqual({
      kind: 'loop',
      reason: 'X-Loop: helpdesk@acme.example names us: this message already went through the desk',
    });
  });
});

function email(overrides: Partial<ClassifiableEmail> & { headers?: EmailHeaders } = {}): ClassifiableEmail {
  return {
    messageId: 'CAB1234@mail.example.com',
    inReplyTo: null,
    references: [],
    from: { name: 'Ana Lopez', address: 'ana.lopez@example.com' },
    headers: {},
    text: 'My screen is broken.',
    report: null,
    ...overrides,
  };
}

describe('classifyEmail: one rule at a time', () => {
  it('a plain message is human', () => {
    expect(classifyEmail(email(), US)).toEqual({ kind: 'human' });
  });

  it.each([
    ['auto-replied', 'Auto-Submitted: auto-replied (RFC 3834)'],
    ['auto-generated', 'Auto-Submitted: auto-generated (RFC 3834)'],
    ['auto-notified; owner-email="x@example.com"', 'Auto-Submitted: auto-notified; owner-email="x@example.com" (RFC 3834)'],
  ])('Auto-Submitted: %s', (value, reason) => {
    expect(classifyEmail(email({ headers: { 'auto-submitted': [value] } }), US)).toEqual({ kind: 'auto-reply', reason });
  });

  it.each(['no', 'No', 'no (a person wrote this)'])('Auto-Submitted: %s is human (RFC 3834 §5)', (value) => {
    expect(classifyEmail(email({ headers: { 'auto-submitted': [value] } }), US)).toEqual({ kind: 'human' });
  });

  it.each(['All', 'OOF', 'DR, OOF, AutoReply', 'AutoReply'])('X-Auto-Response-Suppress: %s is automatic', (value) => {
    expect(classifyEmail(email({ headers: { 'x-auto-response-suppress': [value] } }), US)).toEqual({
      kind: 'auto-reply',
      reason: `X-Auto-Response-Suppress: ${value} (Exchange automatic message)`,
    });
  });

  it.each(['DR', 'RN, NRN', 'DR, NDR, RN, NRN', 'None'])('X-Auto-Response-Suppress: %s alone is human', (value) => {
    expect(classifyEmail(email({ headers: { 'x-auto-response-suppress': [value] } }), US)).toEqual({ kind: 'human' });
  });

  it('X-Autoreply and X-Autorespond', () => {
    expect(classifyEmail(email({ headers: { 'x-autoreply': ['yes'] } }), US)).toEqual({ kind: 'auto-reply', reason: 'X-Autoreply: yes' });
    expect(classifyEmail(email({ headers: { 'x-autoreply': ['no'] } }), US)).toEqual({ kind: 'human' });
    expect(classifyEmail(email({ headers: { 'x-autorespond': ['Vacation'] } }), US)).toEqual({
      kind: 'auto-reply',
      reason: 'X-Autorespond: Vacation',
    });
  });

  it.each(['bulk', 'junk', 'list', 'Bulk'])('Precedence: %s', (value) => {
    expect(classifyEmail(email({ headers: { precedence: [value] } }), US)).toEqual({ kind: 'auto-reply', reason: `Precedence: ${value}` });
  });

  it('Precedence: first-class is human', () => {
    expect(classifyEmail(email({ headers: { precedence: ['first-class'] } }), US)).toEqual({ kind: 'human' });
  });

  it.each(['<>', '< >', ''])('Return-Path %j is the null sender', (value) => {
    expect(classifyEmail(email({ headers: { 'return-path': [value] } }), US)).toEqual({
      kind: 'auto-reply',
      reason: 'empty Return-Path <> (RFC 5321 null sender: a notification)',
    });
  });

  it('only the top-most Return-Path counts', () => {
    expect(classifyEmail(email({ headers: { 'return-path': ['<ana.lopez@example.com>', '<>'] } }), US)).toEqual({ kind: 'human' });
  });

  it.each(['MAILER-DAEMON', 'mailer-daemon', 'postmaster'])('a %s sender is a bounce', (local) => {
    const result = classifyEmail(email({ from: { name: null, address: `${local.toLowerCase()}@mx.example.org` } }), US);
    expect(result).toEqual({
      kind: 'bounce',
      reason: `sent by ${local.toLowerCase()}@mx.example.org, a mail system, without a delivery status report`,
      originalMessageIds: [],
      failed: true,
    });
  });

  it('a free-text bounce without a quoted Message-ID falls back on In-Reply-To and References', () => {
    const result = classifyEmail(
      email({
        from: { name: null, address: 'postmaster@example.org' },
        inReplyTo: 'hd-7.a@helpdesk.acme.example',
        references: ['CAB1@mail.example.com', 'hd-7.a@helpdesk.acme.example'],
      }),
      US,
    );
    expect(result).toMatchObject({ kind: 'bounce', originalMessageIds: ['hd-7.a@helpdesk.acme.example', 'CAB1@mail.example.com'] });
  });

  it('a multipart/report of another type is automatic', () => {
    const report = { reportType: 'feedback-report', parts: [] };
    expect(classifyEmail(email({ report }), US)).toEqual({
      kind: 'auto-reply',
      reason: 'multipart/report (RFC 6522) report-type=feedback-report',
    });
  });

  it('a delivery-status report without any Action is taken as failed', () => {
    const report = {
      reportType: 'delivery-status',
      parts: [{ contentType: 'message/delivery-status', text: 'Reporting-MTA: dns; mx.example.org\n' }],
    };
    expect(classifyEmail(email({ report }), US)).toEqual({
      kind: 'bounce',
      reason: 'delivery status notification (RFC 3464): no recipient status, taken as failed',
      originalMessageIds: [],
      failed: true,
    });
  });

  it('a report whose sender forgot report-type is read by its parts', () => {
    const text = 'Final-Recipient: rfc822; b@example.org\nAction: failed\nStatus: 5.1.1\n';
    const report = { reportType: '', parts: [{ contentType: 'message/delivery-status', text }] };
    expect(classifyEmail(email({ report }), US)).toMatchObject({ kind: 'bounce', failed: true });
  });

  it('a report with one failed and one delivered recipient failed', () => {
    const text =
      'Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; a@example.org\nAction: delivered\nStatus: 2.0.0\n\n' +
      'Final-Recipient: rfc822; b@example.org\nAction: failed\nStatus: 5.2.2\n';
    const report = { reportType: 'delivery-status', parts: [{ contentType: 'message/delivery-status', text }] };
    expect(classifyEmail(email({ report }), US)).toMatchObject({
      kind: 'bounce',
      reason: 'delivery status notification (RFC 3464): delivered for a@example.org (2.0.0), failed for b@example.org (5.2.2)',
      failed: true,
    });
  });

  it('X-Loop naming someone else is not our loop, even an address that contains ours', () => {
    expect(classifyEmail(email({ headers: { 'x-loop': ['support@vendor.example'] } }), US)).toEqual({ kind: 'human' });
    expect(classifyEmail(email({ headers: { 'x-loop': ['xhelpdesk@acme.example.org'] } }), US)).toEqual({ kind: 'human' });
  });

  it('X-Loop with a display name and several addresses', () => {
    expect(classifyEmail(email({ headers: { 'x-loop': ['list@lists.example, "Helpdesk" <HelpDesk@ACME.example>'] } }), US)).toMatchObject({
      kind: 'loop',
    });
  });

  it('X-Loop naming an address in one of our domains is our loop', () => {
    expect(classifyEmail(email({ headers: { 'x-loop': ['notify@helpdesk.acme.example'] } }), US)).toMatchObject({ kind: 'loop' });
  });

  it('a message from one of our own addresses is a loop', () => {
    expect(classifyEmail(email({ from: { name: 'Urgences', address: 'urgent@acme.example' } }), US)).toEqual({
      kind: 'loop',
      reason: 'it comes from our own address urgent@acme.example',
    });
  });

  it('isOurMessageId takes precedence over the suffix', () => {
    const options: ClassifyOptions = { ourMessageIdSuffix: '@nowhere.example', isOurMessageId: (id) => id.startsWith('CAB') };
    expect(classifyEmail(email(), options)).toMatchObject({ kind: 'loop' });
    expect(classifyEmail(email(), { ourMessageIdSuffix: '@nowhere.example' })).toEqual({ kind: 'human' });
  });

  it('the Message-ID suffix compares without regard to case', () => {
    expect(classifyEmail(email({ messageId: 'hd-1.x@HelpDesk.Acme.Example' }), US)).toMatchObject({ kind: 'loop' });
  });

  it('without options nothing is ours', () => {
    expect(classifyEmail(email({ headers: { 'x-loop': ['helpdesk@acme.example'] } }))).toEqual({ kind: 'human' });
  });
});

describe('isNoReplyAddress', () => {
  it.each([
    'noreply@example.com',
    'no-reply@accounts.example.com',
    'no_reply@example.com',
    'NoReply@Example.com',
    'do-not-reply@example.com',
    'donotreply@example.com',
    'do_not_reply@example.com',
    'noreply-dmarc-support@example.com',
    'notifications-noreply@example.com',
    'MAILER-DAEMON@mx.example.org',
    'postmaster@example.org',
    'bounce@example.com',
    'bounces+4471902-a3f1@em.example.com',
    'msprvs1=19777Gx=bounces-12345@bounces.example.com',
    'auto-reply@example.com',
    'Service <no-reply@example.com>',
  ])('%s is a no-reply address', (address) => {
    expect(isNoReplyAddress(address)).toBe(true);
  });

  it.each([
    'olivia.brown@example.com',
    'bouncer.lee@example.com',
    'reply@example.com',
    'nora.reply@example.com',
    'post.master@example.com',
    'helpdesk@acme.example',
  ])('%s is a person', (address) => {
    expect(isNoReplyAddress(address)).toBe(false);
  });
});
