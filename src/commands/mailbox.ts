import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config/index.js';
import { parseMailboxUrl } from '../config/mailbox-url.js';
import { parseSmtpUrl } from '../config/oauth.js';
import { deviceLogin } from '../mail/oauth/device-login.js';
import { httpTokenEndpoint } from '../mail/oauth/token-endpoint.js';
import { loadTokenKey } from '../mail/oauth/token-key.js';
import { createVault, type SealedTokenStorage } from '../mail/oauth/vault.js';
import { withDatabase } from './database.js';

const USAGE = 'usage: helpdesk mailbox login [--mailbox KEY]';

/** `helpdesk mailbox login [--mailbox KEY]`: the device-code sign-in of an `auth=oauth2` login. */
export async function mailboxCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'login') throw new Error(`mailbox: ${USAGE}`);
  const { values } = parseArgs({ args: rest, options: { mailbox: { type: 'string' } }, strict: true });
  // Said before the database is started for nothing.
  if (!loadConfig().oauth) throw new Error('mailbox login: set OAUTH_TOKEN_URL and OAUTH_CLIENT_ID first');
  await withDatabase(async (store, config) => {
    await loginMailbox({
      config,
      storage: store.oauthTokens,
      mailbox: values.mailbox,
      print: (line) => process.stdout.write(`${line}\n`),
    });
  });
}

export interface MailboxLoginOptions {
  config: Pick<Config, 'oauth' | 'imapUrls' | 'smtpUrl' | 'dataDir'>;
  storage: SealedTokenStorage;
  /** A mailbox key of IMAP_URL (as in /ready) or a login; needed when there are several. */
  mailbox: string | undefined;
  print: (line: string) => void;
}

/**
 * Shows the verification URL and code, waits for the person to sign in, and stores the refresh
 * token, sealed, for the login. Readers and the notifier use it from their next token request, with
 * no restart. Returns the login.
 */
export async function loginMailbox(options: MailboxLoginOptions): Promise<string> {
  const { config } = options;
  if (!config.oauth) throw new Error('mailbox login: set OAUTH_TOKEN_URL and OAUTH_CLIENT_ID first');
  const account = chooseLogin(oauthLogins(config), options.mailbox);
  const refreshToken = await deviceLogin({
    endpoint: httpTokenEndpoint(config.oauth),
    show: (a) => {
      options.print(`To sign in ${account}, open ${a.verificationUriComplete ?? a.verificationUri} and enter the code ${a.userCode}`);
      options.print(`(the code is valid for ${Math.round(a.expiresIn / 60)} minutes; waiting…)`);
    },
  });
  await createVault(options.storage, () => loadTokenKey(config.dataDir)).put(account, refreshToken);
  options.print(`Signed in: the refresh token of ${account} is stored, encrypted; the mail role uses it from its next connection.`);
  return account;
}

/** Every `auth=oauth2` login of the configuration: its mailboxes' keys and SMTP_URL, by login. */
function oauthLogins(config: Pick<Config, 'imapUrls' | 'smtpUrl'>): { login: string; names: string[] }[] {
  const logins = new Map<string, string[]>();
  const add = (login: string, name: string) => logins.set(login.toLowerCase(), [...(logins.get(login.toLowerCase()) ?? []), name]);
  for (const url of config.imapUrls) {
    const spec = parseMailboxUrl(url);
    if (spec.auth === 'oauth2') add(spec.user, spec.key);
  }
  const smtp = config.smtpUrl === undefined ? undefined : parseSmtpUrl(config.smtpUrl);
  if (smtp?.auth === 'oauth2') add(smtp.user, 'SMTP_URL');
  return [...logins].map(([login, names]) => ({ login, names }));
}

function chooseLogin(logins: { login: string; names: string[] }[], wanted: string | undefined): string {
  const list = logins.map((l) => `${l.login} (${l.names.join(', ')})`).join('; ');
  if (logins.length === 0) throw new Error('mailbox login: no IMAP_URL mailbox nor SMTP_URL says auth=oauth2');
  if (wanted === undefined) {
    const [only] = logins;
    if (logins.length === 1 && only) return only.login;
    throw new Error(`mailbox login: say which with --mailbox: ${list}`);
  }
  const found = logins.find((l) => l.login === wanted.toLowerCase() || l.names.includes(wanted));
  if (!found) throw new Error(`mailbox login: ${wanted} is not an auth=oauth2 login; known: ${list}`);
  return found.login;
}
