import { LEVELS, type Level } from '../domain/values.js';

/**
 * One mailbox of IMAP_URL: `imap://` or `imaps://user:password@host:port/MAILBOX?option=value&…`.
 *
 * Options (all optional), for a mailbox's own defaults:
 * - `category=<name>`: the category of the tickets it opens (e.g. `network` for a network@ address);
 * - `urgency=high|medium|low`: their urgency hint (e.g. `high` for an urgent@ address); an
 *   X-Priority/Importance header asking for more wins, one asking for less does not;
 * - `address=<email>`: the mailbox's own address, when the login is not one: never made a watcher,
 *   and mail from it or naming it in X-Loop is our own mail coming back;
 * - `poll=<seconds>`: how often to look for new mail when the server lacks IDLE (default 30);
 * - `seen=yes`: flag each message \Seen once its ticket is committed (default: the mailbox is left
 *   untouched, the cursor alone says what was read);
 * - `auth=oauth2`: log in with an OAuth2 access token (XOAUTH2 / OAUTHBEARER) that the gateway gets
 *   from OAUTH_TOKEN_URL, instead of a password: Microsoft 365 has refused passwords for IMAP since
 *   October 2022. The URL then carries the login and no password.
 */
export interface MailboxSpec {
  /** `imap://user@host:port/MAILBOX`: no password; names the cursor, the lock and quarantined mail. */
  key: string;
  secure: boolean;
  host: string;
  port: number;
  user: string;
  /** Empty with `auth=oauth2`. */
  password: string;
  auth: MailAuth;
  path: string;
  category: string | null;
  urgency: Level | null;
  /** Lower-case addresses that are this mailbox: the login when it is an address, and `address=`. */
  addresses: string[];
  pollSeconds: number;
  markSeen: boolean;
}

/** How a mailbox (or SMTP_URL) logs in: the URL's password, or an OAuth2 access token. */
export type MailAuth = 'password' | 'oauth2';

/** The `auth` option of IMAP_URL and SMTP_URL; throws a MailboxUrlError for another value. */
export function authOption(value: string | null): MailAuth {
  const text = value?.trim().toLowerCase() ?? 'password';
  if (text !== 'password' && text !== 'oauth2') throw new MailboxUrlError(`auth: expected oauth2 or password, not "${text}"`);
  return text;
}

export class MailboxUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailboxUrlError';
  }
}

const OPTIONS = new Set(['category', 'urgency', 'address', 'poll', 'seen', 'auth']);
const DEFAULT_POLL_SECONDS = 30;

export function parseMailboxUrl(value: string): MailboxSpec {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new MailboxUrlError('not a URL');
  }
  const secure = url.protocol === 'imaps:';
  if (!secure && url.protocol !== 'imap:') throw new MailboxUrlError(`expected imap:// or imaps://, not ${url.protocol}//`);
  if (url.hostname === '') throw new MailboxUrlError('no host');
  const user = decodeURIComponent(url.username);
  if (user === '') throw new MailboxUrlError('no user name before the @');
  const password = decodeURIComponent(url.password);
  const port = url.port === '' ? (secure ? 993 : 143) : Number(url.port);
  // A leading "/" separates the host; "INBOX" when nothing follows it (RFC 5092 §3 allows an empty path).
  const path = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'INBOX';

  for (const name of url.searchParams.keys()) {
    if (!OPTIONS.has(name)) throw new MailboxUrlError(`unknown option "${name}" (known: ${[...OPTIONS].join(', ')})`);
  }
  const category = url.searchParams.get('category')?.trim().toLowerCase() || null;
  const urgencyText = url.searchParams.get('urgency')?.trim().toLowerCase() || null;
  if (urgencyText !== null && !(LEVELS as readonly string[]).includes(urgencyText)) {
    throw new MailboxUrlError(`urgency: expected high, medium or low, not "${urgencyText}"`);
  }
  const address = url.searchParams.get('address')?.trim().toLowerCase() || null;
  if (address !== null && !/^[^@\s]+@[^@\s]+$/.test(address)) throw new MailboxUrlError('address: expected an email address');
  const pollText = url.searchParams.get('poll');
  const pollSeconds = pollText === null ? DEFAULT_POLL_SECONDS : Number(pollText);
  if (!Number.isFinite(pollSeconds) || pollSeconds < 1 || pollSeconds > 3600) {
    throw new MailboxUrlError('poll: expected a number of seconds from 1 to 3600');
  }
  const auth = authOption(url.searchParams.get('auth'));
  if (auth === 'oauth2' && password !== '') throw new MailboxUrlError('auth=oauth2 takes no password: the access token replaces it');
  const seenText = url.searchParams.get('seen')?.trim().toLowerCase();
  if (seenText !== undefined && !['yes', 'no', 'true', 'false', '1', '0'].includes(seenText)) {
    throw new MailboxUrlError('seen: expected yes or no');
  }

  const login = user.toLowerCase();
  const addresses = [...new Set([...(login.includes('@') ? [login] : []), ...(address ? [address] : [])])];
  return {
    key: `${url.protocol}//${encodeURIComponent(user)}@${url.hostname}:${port}/${path}`,
    secure,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    user,
    password,
    auth,
    path,
    category,
    urgency: (urgencyText as Level | null) ?? null,
    addresses,
    pollSeconds,
    markSeen: seenText === 'yes' || seenText === 'true' || seenText === '1',
  };
}
