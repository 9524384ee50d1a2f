import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { OAuthConfig } from '../../../src/config/oauth.js';
import { OAuthError, type TokenEndpoint, type TokenResponse } from '../../../src/mail/oauth/token-endpoint.js';
import { createTokenManager } from '../../../src/mail/oauth/token-manager.js';
import { holdToken, isFresh } from '../../../src/mail/oauth/token-timing.js';
import type { RefreshTokenVault } from '../../../src/mail/oauth/vault.js';

const OAUTH: OAuthConfig = {
  tokenUrl: 'https://login.example/token',
  clientId: 'app',
  clientSecret: 's3cret',
  scope: 'https://outlook.office365.com/.default',
  deviceAuthorizationUrl: undefined,
  privateKeyFile: undefined,
};

/** A token endpoint in memory: records each form, answers from a script. */
function endpoint(answer: (form: Record<string, string>, n: number) => TokenResponse | OAuthError) {
  const forms: Record<string, string>[] = [];
  const release: (() => void)[] = [];
  let held = false;
  const e: TokenEndpoint & { forms: typeof forms; hold(): void; release(): void } = {
    forms,
    hold: () => (held = true),
    release: () => {
      held = false;
      for (const r of release.splice(0)) r();
    },
    async token(form) {
      forms.push(form);
      if (held) await new Promise<void>((resolve) => release.push(resolve));
      const a = answer(form, forms.length);
      if (a instanceof OAuthError) throw a;
      return a;
    },
    async deviceAuthorization() {
      throw new Error('unused');
    },
  };
  return e;
}

function memoryVault(initial: Record<string, string> = {}): RefreshTokenVault & { tokens: Map<string, string> } {
  const tokens = new Map(Object.entries(initial));
  return { tokens, get: async (a) => tokens.get(a) ?? null, put: async (a, t) => void tokens.set(a, t) };
}

describe('token timing', () => {
  it('renews an hour-long token 60 s before it ends, a 2-second one at 80% of its life', () => {
    expect(holdToken('t', 3600, 0)).toMatchObject({ refreshAt: 3_540_000, expiresAt: 3_600_000 });
    expect(holdToken('t', 2, 1_000)).toMatchObject({ refreshAt: 2_600, expiresAt: 3_000 });
    expect(isFresh(holdToken('t', 2, 0), 1_599)).toBe(true);
    expect(isFresh(holdToken('t', 2, 0), 1_600)).toBe(false);
    expect(isFresh(undefined, 0)).toBe(false);
  });
});

describe('the token manager', () => {
  it('asks once with client credentials and the scope, hands the token out until its refresh time, then asks again', async () => {
    let clock = 0;
    const ep = endpoint((_f, n) => ({ accessToken: `at-${n}`, expiresIn: 10, refreshToken: undefined }));
    const tokens = createTokenManager({ oauth: OAUTH, endpoint: ep, vault: memoryVault(), now: () => clock });
    expect(await tokens.accessToken('Desk@Acme.example')).toBe('at-1');
    clock = 7_999;
    expect(await tokens.accessToken('desk@acme.example')).toBe('at-1');
    clock = 8_000;
    expect(await tokens.accessToken('desk@acme.example')).toBe('at-2');
    expect(ep.forms[0]).toEqual({ grant_type: 'client_credentials', scope: OAUTH.scope });
  });

  it('with a service account key, asks by a signed assertion for the login it impersonates (RFC 7523)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ep = endpoint(() => ({ accessToken: 'at', expiresIn: 3600, refreshToken: undefined }));
    const tokens = createTokenManager({
      oauth: { ...OAUTH, clientId: 'sa@project.iam.gserviceaccount.com', scope: 'https://mail.google.com/' },
      endpoint: ep,
      vault: memoryVault(),
      signingKey: async () => privateKey,
      now: () => 1_700_000_000_000,
    });
    expect(await tokens.accessToken('Support@Example.com')).toBe('at');
    const [form] = ep.forms;
    expect(form?.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [header = '', payload = '', signature = ''] = (form?.assertion ?? '').split('.');
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual({
      iss: 'sa@project.iam.gserviceaccount.com',
      sub: 'support@example.com',
      aud: OAUTH.tokenUrl,
      scope: 'https://mail.google.com/',
      iat: 1_700_000_000,
      exp: 1_700_003_600,
    });
  });

  it('shares one request in flight between concurrent callers', async () => {
    const ep = endpoint((_f, n) => ({ accessToken: `at-${n}`, expiresIn: 3600, refreshToken: undefined }));
    const tokens = createTokenManager({ oauth: OAUTH, endpoint: ep, vault: memoryVault() });
    ep.hold();
    const asked = Promise.all([1, 2, 3, 4].map(() => tokens.accessToken('desk@acme.example')));
    await new Promise((r) => setImmediate(r));
    ep.release();
    expect(await asked).toEqual(['at-1', 'at-1', 'at-1', 'at-1']);
    expect(ep.forms).toHaveLength(1);
  });

  it('uses a stored refresh token, and stores the rotated one before handing the access token out', async () => {
    const vault = memoryVault({ 'desk@acme.example': 'rt-1' });
    const ep = endpoint((form, n) => ({ accessToken: `at-${n}`, expiresIn: 3600, refreshToken: `rt-${n + 1}` }));
    const tokens = createTokenManager({ oauth: OAUTH, endpoint: ep, vault });
    expect(await tokens.accessToken('desk@acme.example')).toBe('at-1');
    expect(ep.forms[0]).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'rt-1' });
    expect(vault.tokens.get('desk@acme.example')).toBe('rt-2');
  });

  it('asks for a new token once the server refused the one it holds; an older refused token changes nothing', async () => {
    const ep = endpoint((_f, n) => ({ accessToken: `at-${n}`, expiresIn: 3600, refreshToken: undefined }));
    const tokens = createTokenManager({ oauth: OAUTH, endpoint: ep, vault: memoryVault() });
    await tokens.accessToken('desk@acme.example');
    tokens.rejected('desk@acme.example', 'at-0');
    expect(await tokens.accessToken('desk@acme.example')).toBe('at-1');
    tokens.rejected('desk@acme.example', 'at-1');
    expect(await tokens.accessToken('desk@acme.example')).toBe('at-2');
  });

  it('reports a refusal with the endpoint error and the login, counts it, and asks again on the next call', async () => {
    let secretOk = false;
    const ep = endpoint(() =>
      secretOk
        ? { accessToken: 'good', expiresIn: 3600, refreshToken: undefined }
        : new OAuthError('invalid_client', 'invalid_client: AADSTS7000215: Invalid client secret provided.'),
    );
    const failures: string[] = [];
    const tokens = createTokenManager({
      oauth: OAUTH,
      endpoint: ep,
      vault: memoryVault(),
      onFailure: (account, err) => failures.push(`${account} ${err.code}`),
    });
    await expect(tokens.accessToken('desk@acme.example')).rejects.toThrow(
      'token request for desk@acme.example refused: invalid_client: AADSTS7000215: Invalid client secret provided.',
    );
    expect(failures).toEqual(['desk@acme.example invalid_client']);
    secretOk = true;
    expect(await tokens.accessToken('desk@acme.example')).toBe('good');
  });
});
