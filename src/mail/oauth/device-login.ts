import { setTimeout as sleep } from 'node:timers/promises';
import { OAuthError, type DeviceAuthorization, type TokenEndpoint } from './token-endpoint.js';

/**
 * RFC 8628's device authorization grant, for `helpdesk mailbox login`: the person opens the
 * verification URL on any device and types the code, while this polls the token endpoint. No
 * redirect URI, so no public web address for the gateway.
 */
export interface DeviceLoginOptions {
  endpoint: TokenEndpoint;
  /** Shown to the person: the URL and the code. */
  show: (authorization: DeviceAuthorization) => void;
  wait?: (ms: number) => Promise<unknown>;
}

/** RFC 8628 §3.5: each slow_down adds 5 seconds to the interval, for the rest of the polling. */
const SLOW_DOWN_S = 5;

export async function deviceLogin(options: DeviceLoginOptions): Promise<string> {
  const wait = options.wait ?? sleep;
  const authorization = await options.endpoint.deviceAuthorization();
  options.show(authorization);
  let interval = authorization.interval;
  const deadline = Date.now() + authorization.expiresIn * 1000;
  for (;;) {
    await wait(interval * 1000);
    try {
      const response = await options.endpoint.token({
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: authorization.deviceCode,
      });
      if (response.refreshToken === undefined) {
        throw new OAuthError(
          'no_refresh_token',
          'signed in, but no refresh token came back: add offline_access to OAUTH_SCOPE (Microsoft)',
        );
      }
      return response.refreshToken;
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      if (err.code === 'authorization_pending' && Date.now() < deadline) continue;
      if (err.code === 'slow_down' && Date.now() < deadline) {
        interval += SLOW_DOWN_S;
        continue;
      }
      if (err.code === 'expired_token' || err.code === 'authorization_pending') {
        throw new OAuthError('expired_token', 'the code expired before the sign-in: run helpdesk mailbox login again');
      }
      if (err.code === 'access_denied') throw new OAuthError('access_denied', 'the sign-in was declined');
      throw err;
    }
  }
}
