import { OAuthError } from './token-endpoint.js';
import { TOKEN_KEY_FILE } from './token-key.js';
import { seal, unseal, type SealedToken } from './sealed.js';

/** Where sealed refresh tokens are kept (implemented in src/store/oauth-token-repository.ts). */
export interface SealedTokenStorage {
  get(account: string): Promise<SealedToken | null>;
  put(account: string, token: SealedToken): Promise<void>;
}

/** The refresh tokens of `helpdesk mailbox login`, in clear only in memory. */
export interface RefreshTokenVault {
  get(account: string): Promise<string | null>;
  put(account: string, refreshToken: string): Promise<void>;
}

export function createVault(storage: SealedTokenStorage, key: () => Promise<Buffer>): RefreshTokenVault {
  return {
    async get(account) {
      const stored = await storage.get(account);
      if (!stored) return null;
      try {
        return unseal(await key(), account, stored);
      } catch {
        throw new OAuthError(
          'unreadable_refresh_token',
          `the refresh token stored for ${account} does not open with this host's ${TOKEN_KEY_FILE}: copy that file from the host that ran helpdesk mailbox login, or run it again here`,
        );
      }
    },
    async put(account, refreshToken) {
      await storage.put(account, seal(await key(), account, refreshToken));
    },
  };
}
