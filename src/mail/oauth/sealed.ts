import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * A refresh token sealed with AES-256-GCM (NIST SP 800-38D: a 96-bit random nonce per seal, a
 * 128-bit tag): `nonce ‖ tag ‖ ciphertext`. The login it belongs to is the additional data, so a
 * row copied onto another login does not open. `keyId` names the key (a hash of it, never the key)
 * so that a token sealed on another host is reported as such, not as a forgery.
 */
export interface SealedToken {
  sealed: Buffer;
  keyId: string;
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('helpdesk oauth token key').update(key).digest('hex').slice(0, 16);
}

export function seal(key: Buffer, account: string, plaintext: string): SealedToken {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(account, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { sealed: Buffer.concat([nonce, cipher.getAuthTag(), body]), keyId: keyIdOf(key) };
}

/** Throws when the bytes were changed, belong to another login, or another key sealed them. */
export function unseal(key: Buffer, account: string, token: SealedToken): string {
  if (token.keyId !== keyIdOf(key)) throw new Error('sealed with another key');
  const nonce = token.sealed.subarray(0, NONCE_BYTES);
  const tag = token.sealed.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(account, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(token.sealed.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}
