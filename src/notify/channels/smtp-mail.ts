import nodemailer from 'nodemailer';
import { newOwnMessageId } from '../../mail/message-id.js';
import type { AccessTokens } from '../../mail/oauth/token-manager.js';
import { SendError, type MailSent, type MailTransport, type OutboundMail } from './types.js';

/** The one place nodemailer is used for sending. */

export interface SmtpMailOptions {
  /** SMTP_URL: `smtp://` or `smtps://user:password@host:port`. */
  smtpUrl: string;
  /** MAIL_FROM, e.g. `Helpdesk <helpdesk@example.org>`. */
  from: string;
  /** Open connections kept for the worker; a few are enough for one worker's concurrency. */
  maxConnections?: number;
  /** `auth=oauth2`: the login, and where its access tokens come from. */
  oauth?: { user: string; tokens: AccessTokens } | undefined;
}

/** The domain of the address in MAIL_FROM, for Message-IDs; `localhost` when there is none. */
export function mailDomain(mailFrom: string): string {
  const match = /@([A-Za-z0-9.-]+)\s*>?\s*$/.exec(mailFrom.trim());
  return match?.[1]?.toLowerCase() ?? 'localhost';
}

/** `<uuid@domain-of-MAIL_FROM>`: generated before sending so the outbox can record it first. */
export function createMessageId(mailFrom: string): string {
  return `<${newOwnMessageId(mailDomain(mailFrom))}>`;
}

/** Header values must stay on one line whatever a caller passes. */
const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ').trim();

export function createSmtpMailTransport(options: SmtpMailOptions): MailTransport {
  const transporter = nodemailer.createTransport({
    url: options.smtpUrl,
    pool: true,
    maxConnections: options.maxConnections ?? 3,
    // Our queue owns retries (with the outbox's idempotency check); a pool requeue after a dropped
    // connection would be a second, unseen attempt.
    maxRequeues: 0,
    // nodemailer waits up to 10 minutes on a silent socket by default; a job should fail sooner and retry.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    ...(options.oauth ? { auth: oauth2Auth(options.oauth) } : {}),
  });
  let closed = false;

  return {
    async send(mail: OutboundMail): Promise<MailSent> {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(mail.headers ?? {})) headers[name] = oneLine(value);
      if (mail.autoSubmitted) {
        headers['Auto-Submitted'] = mail.autoSubmitted;
        // RFC 3834 alone does not stop Exchange's out-of-office replies, which would land on the ticket.
        headers['X-Auto-Response-Suppress'] ??= 'All';
      }
      try {
        const info = await transporter.sendMail({
          from: options.from,
          to: mail.to,
          ...(mail.cc && mail.cc.length > 0 ? { cc: mail.cc } : {}),
          // A custom envelope replaces the whole of nodemailer's, sender included.
          ...(mail.envelopeTo ? { envelope: { from: options.from, to: mail.envelopeTo } } : {}),
          subject: oneLine(mail.subject),
          text: mail.text,
          html: mail.html,
          ...(mail.messageId ? { messageId: mail.messageId } : {}),
          ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
          ...(mail.references && mail.references.length > 0 ? { references: mail.references } : {}),
          headers,
        });
        const messageId = info.messageId.startsWith('<') ? info.messageId : `<${info.messageId}>`;
        return info.rejected.length > 0 ? { messageId, rejected: info.rejected } : { messageId };
      } catch (err) {
        throw toSendError(err);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      transporter.close();
    },
  };
}

/**
 * nodemailer's XOAUTH2 with our token manager as its provider: each new pooled connection asks for
 * a token, so a send after an expiry gets a fresh one; on a refused token nodemailer asks again
 * with `renew` and tries AUTH once more, and the refused token is not handed out again.
 */
function oauth2Auth({ user, tokens }: { user: string; tokens: AccessTokens }) {
  let last: string | undefined;
  return {
    type: 'OAuth2' as const,
    user,
    provisionCallback(_user: string, renew: boolean, callback: (err: Error | null, accessToken: string, expires: number) => void) {
      if (renew && last !== undefined) tokens.rejected(user, last);
      tokens.accessToken(user).then(
        (token) => {
          last = token;
          // Expiry 0: nodemailer keeps no copy of its own, it asks the manager for each connection.
          callback(null, token, 0);
        },
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), '', 0),
      );
    },
  };
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  permanent?: boolean;
  message?: string;
}

/** Errors without an SMTP reply that no retry can fix: the message itself or our settings are wrong. */
const PERMANENT_LOCAL_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'ECONFIG', 'EMAXRECIPIENTS', 'EREQUIRETLS']);

/** Maps what nodemailer threw onto our SendError; 4xx and connection trouble retry, 5xx stop. */
export function toSendError(err: unknown): SendError {
  if (err instanceof SendError) return err;
  const e: SmtpFailure = typeof err === 'object' && err !== null ? err : {};
  const message = `SMTP: ${e.message ?? String(err)}`;
  const cause = { cause: err };
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') {
    // Checked before the reply code: a 535 says our SMTP_URL is wrong, not the message, so the mail
    // stays queued until someone fixes the settings instead of being dropped as undeliverable.
    return new SendError('transient', 'AUTH_FAILED', message, { vendorCode: e.responseCode ?? e.code, ...cause });
  }
  if (typeof e.responseCode === 'number') {
    const code = e.responseCode;
    // nodemailer already reads the reply class (5xx permanent except 503, a session-state hiccup).
    const permanent = e.permanent ?? (code >= 500 && code < 600 && code !== 503);
    return new SendError(permanent ? 'permanent' : 'transient', permanent ? 'REJECTED' : 'DEFERRED', message, {
      vendorCode: code,
      ...cause,
    });
  }
  if (e.code && PERMANENT_LOCAL_CODES.has(e.code)) {
    return new SendError('permanent', 'INVALID_MESSAGE', message, { vendorCode: e.code, ...cause });
  }
  return new SendError('transient', e.code === 'ETIMEDOUT' ? 'TIMEOUT' : 'NETWORK', message, {
    vendorCode: e.code,
    ...cause,
  });
}

/**
 * Stands in when SMTP_URL is unset. Every send fails as transient, so email notifications stay
 * queued (and visible) rather than vanish, and go out once SMTP is configured.
 */
export function createNullMailTransport(): MailTransport {
  return {
    async send(): Promise<MailSent> {
      throw new SendError('transient', 'SMTP_NOT_CONFIGURED', 'SMTP_URL is not set: email notifications are queued, not sent');
    },
    async close() {},
  };
}
