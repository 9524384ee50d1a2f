/**
 * When an access token is asked for again: pure arithmetic, apart from the fetch. A token is
 * renewed before it expires so that a login never presents one that dies in transit: 60 s before
 * its end, or at 80% of its life when it lives less than five minutes (a short-lived test token, a
 * server that hands out a few minutes).
 */

export interface HeldToken {
  value: string;
  /** Epoch ms from which the token is no longer handed out: a new one is asked for. */
  refreshAt: number;
  expiresAt: number;
}

const MARGIN_MS = 60_000;
/** RFC 6749 §5.1 only recommends expires_in; without it the token is assumed short-lived. */
const UNSTATED_LIFETIME_S = 300;

export function holdToken(value: string, expiresInSeconds: number | undefined, issuedAt: number): HeldToken {
  const lifeMs = (expiresInSeconds !== undefined && expiresInSeconds > 0 ? expiresInSeconds : UNSTATED_LIFETIME_S) * 1000;
  return { value, refreshAt: issuedAt + lifeMs - Math.min(MARGIN_MS, lifeMs * 0.2), expiresAt: issuedAt + lifeMs };
}

export function isFresh(token: HeldToken | undefined, now: number): token is HeldToken {
  return token !== undefined && now < token.refreshAt;
}
