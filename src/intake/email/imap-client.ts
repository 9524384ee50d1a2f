import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { MailboxSpec } from '../../config/mailbox-url.js';
import type { AccessTokens } from '../../mail/oauth/token-manager.js';

type ClientTuning = Omit<ImapFlowOptions, 'host' | 'port' | 'secure' | 'auth' | 'logger'>;

/** What a connection logs in with: IMAP_URL's password, or an OAuth2 access token. */
export type ImapLogin = { user: string; pass: string } | { user: string; accessToken: string };

/**
 * The login of one connection. With `auth=oauth2` a token from the token manager for each
 * connection: imapflow then picks XOAUTH2 or OAUTHBEARER (RFC 7628) from the server's capabilities.
 */
export async function imapLogin(spec: MailboxSpec, tokens: AccessTokens | undefined): Promise<ImapLogin> {
  if (spec.auth === 'password') return { user: spec.user, pass: spec.password };
  if (!tokens) throw new Error('auth=oauth2 needs OAUTH_TOKEN_URL and OAUTH_CLIENT_ID');
  return { user: spec.user, accessToken: await tokens.accessToken(spec.user) };
}

/** The one place an IMAP connection is made from IMAP_URL's parts: the reader's and doctor's alike. */
export function imapClient(spec: MailboxSpec, login: ImapLogin, tuning: ClientTuning = {}): ImapFlow {
  return new ImapFlow({
    host: spec.host,
    port: spec.port,
    secure: spec.secure,
    auth: login,
    logger: false,
    ...tuning,
  });
}

/** The server refused the login (imapflow marks it): a password or token problem, not the network. */
export function isLoginRefused(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'authenticationFailed' in err && err.authenticationFailed === true;
}

export interface MailboxProbe {
  ok: boolean;
  detail: string;
}

/** A login and a look at the folder the reader would read, for `helpdesk doctor`. */
export async function probeMailbox(spec: MailboxSpec, timeoutMs: number): Promise<MailboxProbe> {
  const client = imapClient(spec, { user: spec.user, pass: spec.password }, { connectionTimeout: timeoutMs, greetingTimeout: timeoutMs });
  // A refused login also comes as an 'error' event; the rejected connect() below says it.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const status = await client.status(spec.path, { messages: true });
    await client.logout();
    if (!status) return { ok: false, detail: `logged in, but cannot open ${spec.path}` };
    return { ok: true, detail: `logged in; ${status.messages ?? 0} messages in ${spec.path}` };
  } catch (err) {
    client.close();
    return { ok: false, detail: imapReason(err) };
  }
}

function imapReason(err: unknown): string {
  if (isLoginRefused(err)) return 'login refused: check the user and password in IMAP_URL';
  const text = typeof err === 'object' && err !== null && 'responseText' in err ? String(err.responseText) : '';
  if (text) return text;
  return err instanceof Error ? err.message || err.name : String(err);
}
