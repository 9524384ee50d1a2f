import type { SealedToken } from '../mail/oauth/sealed.js';
import { rows, run, type Db } from './handle.js';

/** The sealed refresh tokens of OAuth2 logins (migration 071); sealing and opening happen outside. */
export function createOAuthTokenRepository(db: Db) {
  return {
    async get(account: string): Promise<SealedToken | null> {
      const [row] = await rows<{ sealed: Buffer; key_id: string }>(
        db,
        `SELECT sealed, key_id FROM oauth_refresh_tokens WHERE account = $account`,
        { account },
      );
      return row ? { sealed: row.sealed, keyId: row.key_id } : null;
    },

    async put(account: string, token: SealedToken): Promise<void> {
      await run(
        db,
        `INSERT INTO oauth_refresh_tokens (account, sealed, key_id) VALUES ($account, $sealed, $keyId)
         ON CONFLICT (account) DO UPDATE SET sealed = EXCLUDED.sealed, key_id = EXCLUDED.key_id, updated_at = now()`,
        { account, sealed: token.sealed, keyId: token.keyId },
      );
    },
  };
}
