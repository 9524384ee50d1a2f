import { describe, expect, it } from 'vitest';
import { deviceLogin } from '../../../src/mail/oauth/device-login.js';
import { OAuthError, type TokenEndpoint } from '../../../src/mail/oauth/token-endpoint.js';

/** A device flow whose token endpoint answers the polls from a script; the waits are recorded, not slept. */
function flow(answers: (string | 'done')[]) {
  const waits: number[] = [];
  const shown: string[] = [];
  const endpoint: TokenEndpoint = {
    async deviceAuthorization() {
      return {
        deviceCode: 'dc',
        userCode: 'ABCD-EFGH',
        verificationUri: 'https://microsoft.com/devicelogin',
        verificationUriComplete: undefined,
        expiresIn: 900,
        interval: 5,
      };
    },
    async token(form) {
      expect(form).toEqual({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'dc' });
      const next = answers.shift();
      if (next === 'done') return { accessToken: 'at', expiresIn: 3600, refreshToken: 'rt' };
      throw new OAuthError(next ?? 'expired_token', next ?? 'expired_token');
    },
  };
  const run = deviceLogin({ endpoint, show: (a) => shown.push(`${a.verificationUri} ${a.userCode}`), wait: async (ms) => waits.push(ms) });
  return { run, waits, shown };
}

describe('the device-code login (RFC 8628)', () => {
  it('shows the URL and code, polls at the interval while pending, slows down by 5 s when told, and returns the refresh token', async () => {
    const f = flow(['authorization_pending', 'slow_down', 'authorization_pending', 'done']);
    expect(await f.run).toBe('rt');
    expect(f.shown).toEqual(['https://microsoft.com/devicelogin ABCD-EFGH']);
    expect(f.waits).toEqual([5_000, 5_000, 10_000, 10_000]);
  });

  it('says plainly when the code expired or the person declined', async () => {
    await expect(flow(['authorization_pending', 'expired_token']).run).rejects.toThrow('the code expired before the sign-in');
    await expect(flow(['access_denied']).run).rejects.toThrow('the sign-in was declined');
  });
});
