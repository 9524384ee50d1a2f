import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { LANGUAGES } from '../domain/values.js';
import { parseBusinessHours, type BusinessHours } from './business-hours.js';
import { parseDuration } from './duration.js';
import { InboundUrlError, parseByteSize, parseInboundDomains, parseInboundUrl, type InboundSpec } from './inbound-url.js';
import { MailboxUrlError, parseMailboxUrl } from './mailbox-url.js';
import { deviceEndpointFor, parseSmtpUrl, type OAuthConfig } from './oauth.js';

export type { BusinessHours } from './business-hours.js';
export type { OAuthConfig } from './oauth.js';

/** The environment of the public contract, read once, validated and typed. */
export interface Config {
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  apiToken: string | undefined;
  /** Bearer token that GET /metrics requires; unset: /metrics is open. */
  metricsToken: string | undefined;
  twilio: TwilioConfig | undefined;
  twilioApiUrl: string;
  imapUrls: string[];
  /** May say `auth=oauth2` in its query (read by config/oauth.ts's parseSmtpUrl). */
  smtpUrl: string | undefined;
  /** OAUTH_*: set when a mailbox or SMTP_URL says `auth=oauth2`. */
  oauth: OAuthConfig | undefined;
  mailFrom: string;
  /** MAIL_INBOUND_URL and its companions: mail pushed by an MTA (LMTP or SMTP); unset: none. */
  mailInbound: MailInboundConfig | undefined;
  language: 'fr' | 'en';
  timezone: string;
  coordinator: { email: string | undefined; phone: string | undefined };
  businessHours: BusinessHours;
  /** HELPDESK_APPROVAL_REMINDER: a pending approval is reminded this long after it was asked, the coordinator told as long after that. */
  approvalReminderMs: number;
  /** HELPDESK_REQUEST_ADDRESS, lower-case: a new email sent to it opens a service request (#17); unset: none. */
  requestAddress: string | undefined;
}

export interface MailInboundConfig {
  spec: InboundSpec;
  /** Lower-case recipient domains and addresses accepted at RCPT; others get 550. */
  domains: string[];
  /** Bytes: advertised as SIZE, a larger message gets 552. */
  maxSize: number;
}

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  phoneNumber: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'ConfigError';
  }
}

const optional = <T extends z.ZodType<string>>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const timezone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an IANA time zone such as Europe/Paris' },
);

const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected a phone number in E.164 form, e.g. +33612345678');

const schema = z.object({
  PORT: optional(z.string().regex(/^\d+$/, 'expected a port number')),
  PUBLIC_URL: optional(url(['http:', 'https:'])),
  HELPDESK_DATA_DIR: optional(z.string()),
  DATABASE_URL: optional(url(['postgres:', 'postgresql:'])),
  REDIS_URL: optional(url(['redis:', 'rediss:'])),
  HELPDESK_API_TOKEN: optional(z.string().min(16, 'expected at least 16 characters')),
  HELPDESK_METRICS_TOKEN: optional(z.string().min(16, 'expected at least 16 characters')),
  TWILIO_ACCOUNT_SID: optional(z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'expected AC followed by 32 hex digits')),
  TWILIO_AUTH_TOKEN: optional(z.string().min(8, 'expected the auth token of the account')),
  TWILIO_PHONE_NUMBER: optional(E164),
  TWILIO_API_URL: optional(url(['http:', 'https:'])),
  IMAP_URL: optional(z.string()),
  SMTP_URL: optional(url(['smtp:', 'smtps:'])),
  MAIL_FROM: optional(z.string()),
  OAUTH_TOKEN_URL: optional(url(['http:', 'https:'])),
  OAUTH_CLIENT_ID: optional(z.string()),
  OAUTH_CLIENT_SECRET: optional(z.string()),
  OAUTH_SCOPE: optional(z.string()),
  OAUTH_DEVICE_URL: optional(url(['http:', 'https:'])),
  OAUTH_PRIVATE_KEY_FILE: optional(z.string()),
  MAIL_INBOUND_URL: optional(z.string()),
  MAIL_INBOUND_DOMAINS: optional(z.string()),
  MAIL_INBOUND_MAX_SIZE: optional(z.string()),
  HELPDESK_LANGUAGE: optional(z.enum(LANGUAGES, { message: 'expected fr or en' })),
  HELPDESK_TIMEZONE: optional(timezone),
  HELPDESK_COORDINATOR_EMAIL: optional(z.email({ message: 'expected an email address' })),
  HELPDESK_COORDINATOR_PHONE: optional(E164),
  HELPDESK_BUSINESS_HOURS: optional(z.string()),
  HELPDESK_REQUEST_ADDRESS: optional(z.email({ message: 'expected an email address' })),
  HELPDESK_APPROVAL_REMINDER: optional(
    z.string().refine((v) => parseDuration(v) !== null, { message: 'expected a duration such as 24h, 90m or 2d' }),
  ),
});

/**
 * Reads the configuration from an environment. Throws a ConfigError naming the first bad variable;
 * the CLI prints its message as the one line of a failed start.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? 'environment'), issue?.message ?? 'invalid');
  }
  const e = parsed.data;
  const port = Number(e.PORT ?? 3000);
  if (port > 65535) throw new ConfigError('PORT', 'expected a port number between 0 and 65535');

  const imapUrls = (e.IMAP_URL ?? '').split(/\s+/).filter(Boolean);
  const mailboxKeys = new Set<string>();
  for (const imap of imapUrls) {
    if (!url(['imap:', 'imaps:']).safeParse(imap).success) {
      throw new ConfigError('IMAP_URL', 'expected imap:// or imaps://user:password@host:port/MAILBOX');
    }
    // Every option of every mailbox checked here, before anything starts: the mail role starts
    // after others, and its error used to stop a gateway whose /ready had already said 200.
    let key: string;
    try {
      key = parseMailboxUrl(imap).key;
    } catch (err) {
      throw new ConfigError('IMAP_URL', err instanceof MailboxUrlError ? err.message : String(err));
    }
    if (mailboxKeys.has(key)) throw new ConfigError('IMAP_URL', `${key} is listed twice`);
    mailboxKeys.add(key);
  }

  const mailInbound = inboundOf(e.MAIL_INBOUND_URL, e.MAIL_INBOUND_DOMAINS, e.MAIL_INBOUND_MAX_SIZE);

  let smtpAuth: string | undefined;
  try {
    smtpAuth = e.SMTP_URL === undefined ? undefined : parseSmtpUrl(e.SMTP_URL).auth;
  } catch (err) {
    throw new ConfigError('SMTP_URL', err instanceof MailboxUrlError ? err.message : String(err));
  }
  const oauthLogins = imapUrls.some((u) => parseMailboxUrl(u).auth === 'oauth2') || smtpAuth === 'oauth2';
  const oauth = oauthOf(e, oauthLogins);

  const twilioParts = [e.TWILIO_ACCOUNT_SID, e.TWILIO_AUTH_TOKEN, e.TWILIO_PHONE_NUMBER];
  const twilioSet = twilioParts.filter((v) => v !== undefined).length;
  if (twilioSet > 0 && twilioSet < 3) {
    const missing = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_PHONE_NUMBER'][twilioParts.indexOf(undefined)];
    throw new ConfigError(
      missing ?? 'TWILIO_ACCOUNT_SID',
      'telephony needs all three of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER',
    );
  }

  let businessHours: BusinessHours;
  try {
    businessHours = parseBusinessHours(e.HELPDESK_BUSINESS_HOURS ?? 'mon-fri 08:00-18:00');
  } catch (err) {
    throw new ConfigError('HELPDESK_BUSINESS_HOURS', (err as Error).message);
  }

  return Object.freeze({
    port,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    dataDir: path.resolve(e.HELPDESK_DATA_DIR ?? './.helpdesk'),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    apiToken: e.HELPDESK_API_TOKEN,
    metricsToken: e.HELPDESK_METRICS_TOKEN,
    twilio:
      e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN && e.TWILIO_PHONE_NUMBER
        ? { accountSid: e.TWILIO_ACCOUNT_SID, authToken: e.TWILIO_AUTH_TOKEN, phoneNumber: e.TWILIO_PHONE_NUMBER }
        : undefined,
    twilioApiUrl: (e.TWILIO_API_URL ?? 'https://api.twilio.com').replace(/\/+$/, ''),
    imapUrls,
    smtpUrl: e.SMTP_URL,
    oauth,
    mailFrom: e.MAIL_FROM ?? 'Helpdesk <helpdesk@localhost>',
    mailInbound,
    language: e.HELPDESK_LANGUAGE ?? 'fr',
    timezone: e.HELPDESK_TIMEZONE ?? 'Europe/Paris',
    coordinator: { email: e.HELPDESK_COORDINATOR_EMAIL, phone: e.HELPDESK_COORDINATOR_PHONE },
    businessHours,
    approvalReminderMs: parseDuration(e.HELPDESK_APPROVAL_REMINDER ?? '24h') ?? 86_400_000,
    requestAddress: e.HELPDESK_REQUEST_ADDRESS?.toLowerCase(),
  });
}

/** The three MAIL_INBOUND_* variables, each checked (a bad one stops the start, naming it). */
function inboundOf(
  urlValue: string | undefined,
  domainsValue: string | undefined,
  sizeValue: string | undefined,
): MailInboundConfig | undefined {
  const checked = <T>(variable: string, read: () => T): T => {
    try {
      return read();
    } catch (err) {
      throw new ConfigError(variable, err instanceof InboundUrlError ? err.message : String(err));
    }
  };
  const maxSize = checked('MAIL_INBOUND_MAX_SIZE', () => parseByteSize(sizeValue ?? '25MB'));
  const domains = checked('MAIL_INBOUND_DOMAINS', () => parseInboundDomains(domainsValue ?? ''));
  if (urlValue === undefined) return undefined;
  const spec = checked('MAIL_INBOUND_URL', () => parseInboundUrl(urlValue));
  // Accepting every recipient would make the listener a sink for any domain an MTA routes to it.
  if (domains.length === 0)
    throw new ConfigError('MAIL_INBOUND_DOMAINS', 'needed with MAIL_INBOUND_URL: the recipient domains or addresses to accept');
  return { spec, domains, maxSize };
}

/** OAUTH_*, needed (token URL and client id) as soon as one login says `auth=oauth2`. */
function oauthOf(
  e: Partial<
    Record<
      'OAUTH_TOKEN_URL' | 'OAUTH_CLIENT_ID' | 'OAUTH_CLIENT_SECRET' | 'OAUTH_SCOPE' | 'OAUTH_DEVICE_URL' | 'OAUTH_PRIVATE_KEY_FILE',
      string
    >
  >,
  needed: boolean,
): OAuthConfig | undefined {
  if (e.OAUTH_TOKEN_URL === undefined || e.OAUTH_CLIENT_ID === undefined) {
    if (!needed) return undefined;
    const missing = e.OAUTH_TOKEN_URL === undefined ? 'OAUTH_TOKEN_URL' : 'OAUTH_CLIENT_ID';
    throw new ConfigError(missing, 'needed by auth=oauth2 in IMAP_URL or SMTP_URL');
  }
  return {
    tokenUrl: e.OAUTH_TOKEN_URL,
    clientId: e.OAUTH_CLIENT_ID,
    clientSecret: e.OAUTH_CLIENT_SECRET,
    scope: e.OAUTH_SCOPE?.trim().split(/\s+/).join(' '),
    deviceAuthorizationUrl: e.OAUTH_DEVICE_URL ?? deviceEndpointFor(e.OAUTH_TOKEN_URL),
    privateKeyFile: e.OAUTH_PRIVATE_KEY_FILE,
  };
}

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}
