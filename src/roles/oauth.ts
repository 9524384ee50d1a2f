import { Counter, type Registry } from 'prom-client';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { httpTokenEndpoint } from '../mail/oauth/token-endpoint.js';
import { loadPrivateKey } from '../mail/oauth/jwt-assertion.js';
import { loadTokenKey } from '../mail/oauth/token-key.js';
import { createTokenManager, type AccessTokens } from '../mail/oauth/token-manager.js';
import { createVault, type SealedTokenStorage } from '../mail/oauth/vault.js';

/**
 * The token manager of `auth=oauth2` logins, when OAUTH_* is set: its HTTP, its refresh tokens
 * sealed in the store, and its failures counted on /metrics and logged (the login and the
 * endpoint's error, never a secret or a token).
 */
export function createOAuthTokens(
  config: Pick<Config, 'oauth' | 'dataDir'>,
  storage: SealedTokenStorage,
  registry: Registry,
  log: Logger,
): AccessTokens | undefined {
  if (!config.oauth) return undefined;
  const failures = new Counter({
    name: 'helpdesk_oauth_token_failures_total',
    help: 'OAuth2 token requests that failed, by login and the token endpoint error (invalid_client, invalid_grant, unreachable…)',
    labelNames: ['account', 'error'] as const,
    registers: [registry],
  });
  let key: Promise<Buffer> | undefined;
  const { privateKeyFile } = config.oauth;
  let signingKey: ReturnType<typeof loadPrivateKey> | undefined;
  return createTokenManager({
    oauth: config.oauth,
    endpoint: httpTokenEndpoint(config.oauth),
    // Read (or created) on first use: a desk on client credentials alone never needs it.
    vault: createVault(storage, () => (key ??= loadTokenKey(config.dataDir))),
    signingKey: privateKeyFile === undefined ? undefined : () => (signingKey ??= loadPrivateKey(privateKeyFile)),
    onFailure: (account, err) => {
      failures.inc({ account, error: err.code });
      log.warn({ account, err: err.message }, 'OAuth2 token request failed');
    },
  });
}
