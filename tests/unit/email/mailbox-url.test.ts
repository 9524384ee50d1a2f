import { describe, expect, it } from 'vitest';
import { MailboxUrlError, parseMailboxUrl } from '../../../src/config/mailbox-url.js';

describe('parseMailboxUrl', () => {
  it('reads the parts of an imaps URL, with defaults', () => {
    const spec = parseMailboxUrl('imaps://helpdesk%40acme.example:s%3Ecret@mail.acme.example/Support');
    expect(spec).toMatchObject({
      secure: true,
      host: 'mail.acme.example',
      port: 993,
      user: 'helpdesk@acme.example',
      password: 's>cret',
      path: 'Support',
      category: null,
      urgency: null,
      addresses: ['helpdesk@acme.example'],
      pollSeconds: 30,
      markSeen: false,
    });
    // The key names the mailbox without its password.
    expect(spec.key).toBe('imaps://helpdesk%40acme.example@mail.acme.example:993/Support');
  });

  it('defaults to INBOX and port 143 for imap://', () => {
    expect(parseMailboxUrl('imap://desk:pw@127.0.0.1')).toMatchObject({ secure: false, port: 143, path: 'INBOX', addresses: [] });
  });

  it('reads the mailbox options', () => {
    const spec = parseMailboxUrl(
      'imap://urgent:pw@mail:1143/INBOX?category=Network&urgency=high&address=Urgent@Acme.example&poll=5&seen=yes',
    );
    expect(spec).toMatchObject({
      category: 'network',
      urgency: 'high',
      addresses: ['urgent@acme.example'],
      pollSeconds: 5,
      markSeen: true,
    });
  });

  it.each([
    ['http://desk:pw@mail/INBOX', /imap/],
    ['imap://mail/INBOX', /user/],
    ['imap://desk:pw@mail/INBOX?urgency=extreme', /urgency/],
    ['imap://desk:pw@mail/INBOX?poll=0', /poll/],
    ['imap://desk:pw@mail/INBOX?colour=blue', /unknown option "colour"/],
    ['imap://desk:pw@mail/INBOX?address=nobody', /address/],
  ])('refuses %s', (url, message) => {
    expect(() => parseMailboxUrl(url)).toThrow(MailboxUrlError);
    expect(() => parseMailboxUrl(url)).toThrow(message);
  });
});
