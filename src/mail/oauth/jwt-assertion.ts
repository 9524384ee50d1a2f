import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/**
 * The signed assertion of RFC 7523's JWT bearer grant, as Google's service accounts use it with
 * domain-wide delegation: the service account (`iss`) asks, for the mailbox it impersonates
 * (`sub`), a token for the scope; RS256 (RFC 7518 §3.3), valid one hour at most (Google's limit).
 */
export interface AssertionClaims {
  issuer: string;
  subject: string;
  audience: string;
  scope: string | undefined;
  issuedAt: number;
}

const LIFETIME_S = 3600;

export function signAssertion(key: KeyObject, claims: AssertionClaims): string {
  const iat = Math.floor(claims.issuedAt / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({
    iss: claims.issuer,
    sub: claims.subject,
    aud: claims.audience,
    ...(claims.scope !== undefined ? { scope: claims.scope } : {}),
    iat,
    exp: iat + LIFETIME_S,
  })}`;
  return `${unsigned}.${sign('sha256', Buffer.from(unsigned), key).toString('base64url')}`;
}

/** A PEM private key, or the JSON key file Google hands out for a service account (its `private_key`). */
export async function loadPrivateKey(file: string): Promise<KeyObject> {
  const text = await readFile(file, 'utf8');
  let pem = text;
  if (text.trimStart().startsWith('{')) {
    const parsed: unknown = JSON.parse(text);
    const field: unknown = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'private_key') : undefined;
    if (typeof field !== 'string') throw new Error(`${file}: a JSON key file without a private_key`);
    pem = field;
  }
  return createPrivateKey(pem);
}
