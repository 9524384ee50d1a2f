import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMessageId, createNullMailTransport, createSmtpMailTransport, mailDomain } from '../../../src/notify/channels/smtp-mail.js';
import { SendError, type MailTransport, type OutboundMail } from '../../../src/notify/channels/types.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.js';

const MAIL_FROM = 'Helpdesk <helpdesk@desk.example.org>';

let receiver: SmtpReceiver;
let transport: MailTransport;

beforeAll(async () => {
  receiver = await startSmtpReceiver();
  transport = createSmtpMailTransport({ smtpUrl: receiver.url, from: MAIL_FROM });
});

afterAll(async () => {
  await transport.close?.();
  await receiver.stop();
});

beforeEach(() => {
  receiver.messages.length = 0;
});

async function sendError(promise: Promise<unknown>): Promise<SendError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SendError);
  return err as SendError;
}

const base = (over: Partial<OutboundMail> = {}): OutboundMail => ({
  to: ['alice@example.com'],
  subject: '[HD-1042] Received: printer on floor 3',
  text: 'We have your request.',
  html: '<p>We have your request.</p>',
  ...over,
});

describe('SMTP mail transport', () => {
  it('sends a threaded, automatic email with both parts and the given Message-ID', async () => {
    const messageId = createMessageId(MAIL_FROM);
    const sent = await transport.send(
      base({
        cc: ['watcher@example.com'],
        messageId,
        inReplyTo: '<orig-2@example.com>',
        references: ['<orig-1@example.com>', '<orig-2@example.com>'],
        autoSubmitted: 'auto-replied',
        headers: { 'X-Helpdesk-Ticket': 'HD-1042' },
      }),
    );
    expect(sent.messageId).toBe(messageId);

    const [mail] = await receiver.waitFor(1);
    const parsed = mail?.parsed;
    expect(parsed?.messageId).toBe(messageId);
    expect(parsed?.inReplyTo).toBe('<orig-2@example.com>');
    expect(parsed?.references).toEqual(['<orig-1@example.com>', '<orig-2@example.com>']);
    expect(parsed?.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed?.headers.get('x-auto-response-suppress')).toBe('All');
    expect(parsed?.headers.get('x-helpdesk-ticket')).toBe('HD-1042');
    expect(parsed?.subject).toBe('[HD-1042] Received: printer on floor 3');
    expect(parsed?.text?.trim()).toBe('We have your request.');
    expect(parsed?.html).toContain('<p>We have your request.</p>');
    expect(parsed?.from?.value[0]?.address).toBe('helpdesk@desk.example.org');
    expect(mail?.envelope.from).toBe('helpdesk@desk.example.org');
    expect(mail?.envelope.to).toEqual(['alice@example.com', 'watcher@example.com']);
    expect(mail?.raw).toMatch(/^Content-Type: multipart\/alternative/im);
  });

  it('omits Auto-Submitted when not asked and generates a Message-ID when none is given', async () => {
    const sent = await transport.send(base());
    const [mail] = await receiver.waitFor(1);
    expect(mail?.parsed.headers.has('auto-submitted')).toBe(false);
    expect(sent.messageId).toMatch(/^<.+@.+>$/);
    expect(mail?.parsed.messageId).toBe(sent.messageId);
  });

  it('keeps a subject and custom headers on one line', async () => {
    await transport.send(base({ subject: '[HD-7] a\r\nBcc: evil@example.com', headers: { 'X-Note': 'a\nb' } }));
    const [mail] = await receiver.waitFor(1);
    expect(mail?.parsed.subject).toBe('[HD-7] a Bcc: evil@example.com');
    expect(mail?.parsed.headers.has('bcc')).toBe(false);
    expect(mail?.envelope.to).toEqual(['alice@example.com']);
  });

  it('turns a 451 on DATA into a transient SendError, and the next attempt goes through', async () => {
    receiver.rejectNext({ stage: 'data', code: 451, message: 'Greylisted, try later' });
    const err = await sendError(transport.send(base()));
    expect(err.kind).toBe('transient');
    expect(err.vendorCode).toBe(451);

    await transport.send(base());
    expect(await receiver.waitFor(1)).toHaveLength(1);
  });

  it('turns a 451 on RCPT into a transient SendError', async () => {
    receiver.rejectNext({ stage: 'rcpt', code: 451 });
    const err = await sendError(transport.send(base()));
    expect(err.kind).toBe('transient');
    expect(err.vendorCode).toBe(451);
  });

  it('turns a 550 on RCPT into a permanent SendError', async () => {
    receiver.rejectNext({ stage: 'rcpt', code: 550, message: 'No such user' });
    const err = await sendError(transport.send(base()));
    expect(err.kind).toBe('permanent');
    expect(err.code).toBe('REJECTED');
    expect(err.vendorCode).toBe(550);
    expect(receiver.messages).toHaveLength(0);
  });

  it('turns a 554 on DATA into a permanent SendError', async () => {
    receiver.rejectNext({ stage: 'data', code: 554, message: 'Content rejected' });
    const err = await sendError(transport.send(base()));
    expect(err.kind).toBe('permanent');
  });

  it('reports a refused cc while the message still reaches the others', async () => {
    receiver.rejectNext({ stage: 'rcpt', code: 550, recipient: 'gone@example.com' });
    const sent = await transport.send(base({ cc: ['gone@example.com'] }));
    expect(sent.rejected).toEqual(['gone@example.com']);
    const [mail] = await receiver.waitFor(1);
    expect(mail?.envelope.to).toEqual(['alice@example.com']);
  });

  it('treats an unreachable server as transient', async () => {
    const gone = await startSmtpReceiver();
    await gone.stop();
    const orphan = createSmtpMailTransport({ smtpUrl: gone.url, from: MAIL_FROM });
    try {
      const err = await sendError(orphan.send(base()));
      expect(err.kind).toBe('transient');
      expect(err.code).toBe('NETWORK');
    } finally {
      await orphan.close?.();
    }
  });

  it('authenticates when SMTP_URL carries credentials, and keeps mail queued when they are wrong', async () => {
    const guarded = await startSmtpReceiver({ user: 'desk', password: 'secret' });
    const port = new URL(guarded.url).port;
    const good = createSmtpMailTransport({ smtpUrl: `smtp://desk:secret@127.0.0.1:${port}`, from: MAIL_FROM });
    const bad = createSmtpMailTransport({ smtpUrl: `smtp://desk:wrong@127.0.0.1:${port}`, from: MAIL_FROM });
    try {
      await good.send(base());
      const [mail] = await guarded.waitFor(1);
      expect(mail?.user).toBe('desk');

      const err = await sendError(bad.send(base()));
      expect(err.kind).toBe('transient');
      expect(err.code).toBe('AUTH_FAILED');
    } finally {
      await good.close?.();
      await bad.close?.();
      await guarded.stop();
    }
  });
});

describe('null mail transport', () => {
  it('fails every send as transient SMTP_NOT_CONFIGURED so the mail stays queued', async () => {
    const err = await sendError(createNullMailTransport().send(base()));
    expect(err.kind).toBe('transient');
    expect(err.code).toBe('SMTP_NOT_CONFIGURED');
  });
});

describe('createMessageId', () => {
  it('uses the domain of MAIL_FROM', () => {
    expect(createMessageId(MAIL_FROM)).toMatch(/^<[0-9a-f-]{36}@desk\.example\.org>$/);
    expect(createMessageId('helpdesk@Example.COM')).toMatch(/@example\.com>$/);
    expect(createMessageId('Helpdesk <helpdesk@localhost>')).toMatch(/@localhost>$/);
    expect(createMessageId(MAIL_FROM)).not.toBe(createMessageId(MAIL_FROM));
  });
  it('falls back to localhost when MAIL_FROM has no domain', () => {
    expect(mailDomain('Helpdesk')).toBe('localhost');
  });
});
