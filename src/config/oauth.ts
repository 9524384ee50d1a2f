import { MailboxUrlError, authOption, type MailAuth } from './mailbox-url.js';

/** OAUTH_*: where and as whom the gateway asks for the access tokens of `auth=oauth2` logins. */
export interface OAuthConfig {
  tokenUrl: string;
  clientId: string;
  /** Absent for a public client (Microsoft's device flow for a desk without an app secret). */
  clientSecret: string | undefined;
  /** Space-separated; absent: the request names none and the app registration's defaults apply. */
  scope: string | undefined;
  /** RFC 8628's device authorization endpoint, for `helpdesk mailbox login`; undefined when unknown. */
  deviceAuthorizationUrl: string | undefined;
  /**
   * OAUTH_PRIVATE_KEY_FILE: a service account's key (PEM, or Google's JSON key file): tokens come by
   * RFC 7523's JWT bearer grant, OAUTH_CLIENT_ID the account that signs, each login the mailbox it
   * impersonates (Google Workspace's domain-wide delegation).
   */
  privateKeyFile: string | undefined;
}

/** SMTP_URL split into what nodemailer reads and how it logs in. */
export interface SmtpSpec {
  /** SMTP_URL without our `auth` option (nodemailer would take it for its own), nor the login with `auth=oauth2`. */
  url: string;
  auth: MailAuth;
  /** The login an access token is asked for (`auth=oauth2`); the URL's user. */
  user: string;
}

export function parseSmtpUrl(value: string): SmtpSpec {
  const url = new URL(value);
  if (!url.searchParams.has('auth')) return { url: value, auth: 'password', user: decodeURIComponent(url.username) };
  const auth = authOption(url.searchParams.get('auth'));
  url.searchParams.delete('auth');
  const user = decodeURIComponent(url.username);
  if (auth === 'oauth2') {
    if (user === '') throw new MailboxUrlError("auth=oauth2 needs the login as the URL's user");
    if (url.password !== '') throw new MailboxUrlError('auth=oauth2 takes no password: the access token replaces it');
    // nodemailer lets the URL's own login override the auth it is given.
    url.username = '';
  }
  return { url: url.toString(), auth, user };
}

/**
 * The device authorization endpoint beside a known token endpoint: Microsoft's identity platform
 * serves `…/oauth2/v2.0/devicecode` next to `…/oauth2/v2.0/token`, Google `…/device/code` on its
 * token host. Others must be named in OAUTH_DEVICE_URL.
 */
export function deviceEndpointFor(tokenUrl: string): string | undefined {
  const url = new URL(tokenUrl);
  if (url.hostname === 'login.microsoftonline.com' && url.pathname.endsWith('/oauth2/v2.0/token')) {
    return `${url.origin}${url.pathname.replace(/\/token$/, '/devicecode')}`;
  }
  if (url.hostname === 'oauth2.googleapis.com') return `${url.origin}/device/code`;
  return undefined;
}
