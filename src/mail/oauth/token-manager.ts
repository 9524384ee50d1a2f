import type { OAuthConfig } from '../../config/oauth.js';
import type { KeyObject } from 'node:crypto';
import { signAssertion } from './jwt-assertion.js';
import { JWT_BEARER, OAuthError, type TokenEndpoint } from './token-endpoint.js';
import { holdToken, isFresh, type HeldToken } from './token-timing.js';
import type { RefreshTokenVault } from './vault.js';

/**
 * The one source of access tokens for `auth=oauth2` logins (IMAP readers and the SMTP notifier).
 * A login with a refresh token stored by `helpdesk mailbox login` (delegated access) refreshes it,
 * and stores the rotated one the server returns; with a service account's key, a signed assertion
 * for the login (RFC 7523, Google's domain-wide delegation); otherwise the client-credentials grant
 * (Microsoft's app-only access to Exchange Online). A token is handed out until its refresh time
 * (token-timing.ts); callers asking meanwhile share the one request in flight.
 */
export interface AccessTokens {
  accessToken(account: string): Promise<string>;
  /** The server refused this token at login: the next accessToken() asks for a new one. */
  rejected(account: string, token: string): void;
}

export interface TokenManagerOptions {
  oauth: OAuthConfig;
  endpoint: TokenEndpoint;
  vault: RefreshTokenVault;
  /** The service account's key, when OAUTH_PRIVATE_KEY_FILE is set: the JWT bearer grant. */
  signingKey?: (() => Promise<KeyObject>) | undefined;
  /** Each failed token request, for /metrics. */
  onFailure?: (account: string, err: OAuthError) => void;
  now?: () => number;
}

export function createTokenManager(options: TokenManagerOptions): AccessTokens {
  const now = options.now ?? Date.now;
  const held = new Map<string, HeldToken>();
  const inFlight = new Map<string, Promise<HeldToken>>();
  const scope: Record<string, string> = options.oauth.scope !== undefined ? { scope: options.oauth.scope } : {};

  const request = async (account: string): Promise<HeldToken> => {
    const issuedAt = now();
    const refreshToken = await options.vault.get(account);
    const form: Record<string, string> =
      refreshToken !== null
        ? { grant_type: 'refresh_token', refresh_token: refreshToken, ...scope }
        : options.signingKey
          ? { grant_type: JWT_BEARER, assertion: await assertionFor(account, issuedAt, options.signingKey) }
          : { grant_type: 'client_credentials', ...scope };
    const response = await options.endpoint.token(form).catch((err: unknown) => {
      throw err instanceof OAuthError ? new OAuthError(err.code, `token request for ${account} refused: ${err.message}`) : err;
    });
    // Rotation: the old refresh token may already be void, so the new one is stored before use.
    if (refreshToken !== null && response.refreshToken !== undefined && response.refreshToken !== refreshToken) {
      await options.vault.put(account, response.refreshToken);
    }
    return holdToken(response.accessToken, response.expiresIn, issuedAt);
  };

  const assertionFor = async (account: string, issuedAt: number, key: () => Promise<KeyObject>) =>
    signAssertion(await key(), {
      issuer: options.oauth.clientId,
      subject: account,
      audience: options.oauth.tokenUrl,
      scope: options.oauth.scope,
      issuedAt,
    });

  return {
    async accessToken(rawAccount) {
      const account = rawAccount.toLowerCase();
      const current = held.get(account);
      if (isFresh(current, now())) return current.value;
      let pending = inFlight.get(account);
      if (!pending) {
        pending = request(account).finally(() => inFlight.delete(account));
        inFlight.set(account, pending);
        pending.then(
          (token) => held.set(account, token),
          (err: unknown) => {
            held.delete(account);
            if (err instanceof OAuthError) options.onFailure?.(account, err);
          },
        );
      }
      return (await pending).value;
    },
    rejected(rawAccount, token) {
      const account = rawAccount.toLowerCase();
      if (held.get(account)?.value === token) held.delete(account);
    },
  };
}
