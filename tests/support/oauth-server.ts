import { randomBytes, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback OAuth2 authorization server for tests: a token endpoint (client_credentials,
 * refresh_token with rotation, RFC 8628 device_code), a device authorization endpoint, and an
 * RFC 7662 introspection endpoint that Dovecot's oauth2 passdb and the SMTP receiver ask. Access
 * tokens live `lifetimeS` seconds (2 by default), so that a test runs across their expiry.
 */

export interface OAuthServerOptions {
  clientId?: string;
  clientSecret?: string;
  lifetimeS?: number;
  /** The mailbox an app-only (client credentials) token may open, as Exchange's service principal grant says. */
  appUser?: string;
}

interface IssuedToken {
  user: string;
  expiresAt: number;
  grant: string;
}

interface DeviceRequest {
  userCode: string;
  user: string | null;
  expiresAt: number;
  lastPoll: number;
}

export interface OAuthServer {
  url: string;
  tokenUrl: string;
  deviceUrl: string;
  introspectionUrl: string;
  clientId: string;
  /** Another secret from now on (a rotated app secret). */
  setClientSecret(secret: string): void;
  setAppUser(user: string | undefined): void;
  /** RFC 7523 assertions signed by this key for this issuer are honoured (Google's service accounts). */
  trustServiceAccount(issuer: string, publicKey: KeyObject): void;
  /** Tokens issued from now on live this long. */
  setLifetime(seconds: number): void;
  /** The token is void from now on, before its expiry (a revoked grant, a password reset). */
  revoke(token: string): void;
  /** The person signs in at the verification URL with this code, as `user`. */
  approve(userCode: string, user: string): void;
  /** The user name a live token stands for; null when unknown or expired. */
  introspect(token: string): string | null;
  isExpired(token: string): boolean;
  /** Access tokens issued so far, oldest first, with their grant. */
  issued(): { token: string; grant: string; user: string }[];
  /** Every refresh token issued, and which are still valid. */
  refreshTokens(): { token: string; valid: boolean }[];
  /** Introspection requests answered, by whether the token was live. */
  introspections: { token: string; active: boolean }[];
  stop(): Promise<void>;
}

const DEVICE_INTERVAL_S = 1;

export async function startOAuthServer(options: OAuthServerOptions = {}): Promise<OAuthServer> {
  const clientId = options.clientId ?? 'helpdesk-test-app';
  let clientSecret = options.clientSecret ?? 'right-secret';
  let appUser = options.appUser;
  let lifetimeS = options.lifetimeS ?? 2;
  const tokens = new Map<string, IssuedToken>();
  const order: string[] = [];
  const refresh = new Map<string, { user: string; valid: boolean }>();
  const devices = new Map<string, DeviceRequest>();
  const introspections: { token: string; active: boolean }[] = [];
  const serviceAccounts = new Map<string, KeyObject>();
  const newToken = (prefix: string) => `${prefix}-${randomBytes(12).toString('hex')}`;

  const issue = (user: string, grant: string, withRefresh: boolean) => {
    const token = newToken('at');
    tokens.set(token, { user, grant, expiresAt: Date.now() + lifetimeS * 1000 });
    order.push(token);
    const body: Record<string, unknown> = { access_token: token, token_type: 'Bearer', expires_in: lifetimeS };
    if (withRefresh) {
      const rt = newToken('rt');
      refresh.set(rt, { user, valid: true });
      body.refresh_token = rt;
    }
    return body;
  };

  const live = (token: string): IssuedToken | null => {
    const t = tokens.get(token);
    return t && t.expiresAt > Date.now() ? t : null;
  };

  const handle = (path: string, form: URLSearchParams): [number, Record<string, unknown>] => {
    if (path === '/introspect') {
      const t = live(form.get('token') ?? '');
      introspections.push({ token: form.get('token') ?? '', active: t !== null });
      return [200, t ? { active: true, username: t.user } : { active: false }];
    }
    if (path === '/token' && form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return jwtBearer(form.get('assertion') ?? '');
    }
    // RFC 6749 §5.2: a wrong client is 401 invalid_client, worded as Microsoft's identity platform does.
    if (form.get('client_id') !== clientId)
      return [401, { error: 'invalid_client', error_description: `Application with identifier '${form.get('client_id')}' was not found.` }];
    if (path === '/devicecode') {
      const deviceCode = newToken('dc');
      const userCode = randomBytes(4).toString('hex').toUpperCase();
      devices.set(deviceCode, { userCode, user: null, expiresAt: Date.now() + 60_000, lastPoll: 0 });
      return [
        200,
        {
          device_code: deviceCode,
          user_code: userCode,
          verification_uri: `${url}/device`,
          expires_in: 60,
          interval: DEVICE_INTERVAL_S,
        },
      ];
    }
    if (path !== '/token') return [404, { error: 'not_found' }];
    const grant = form.get('grant_type');
    if (grant === 'urn:ietf:params:oauth:grant-type:device_code') {
      const request = devices.get(form.get('device_code') ?? '');
      if (!request) return [400, { error: 'invalid_grant', error_description: 'unknown device code' }];
      if (Date.now() > request.expiresAt) return [400, { error: 'expired_token' }];
      const tooSoon = Date.now() - request.lastPoll < DEVICE_INTERVAL_S * 1000 - 100;
      request.lastPoll = Date.now();
      if (tooSoon) return [400, { error: 'slow_down' }];
      if (request.user === null) return [400, { error: 'authorization_pending' }];
      devices.delete(form.get('device_code') ?? '');
      return [200, issue(request.user, 'device_code', true)];
    }
    if (form.get('client_secret') !== clientSecret) {
      return [401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' }];
    }
    if (grant === 'client_credentials') {
      if (appUser === undefined) return [400, { error: 'unauthorized_client', error_description: 'no mailbox granted to this app' }];
      return [200, issue(appUser, 'client_credentials', false)];
    }
    if (grant === 'refresh_token') {
      const old = refresh.get(form.get('refresh_token') ?? '');
      if (!old?.valid)
        return [400, { error: 'invalid_grant', error_description: 'AADSTS70000: the refresh token is invalid or was used before' }];
      // Rotation, as Microsoft's identity platform does it: the old refresh token is spent.
      old.valid = false;
      return [200, issue(old.user, 'refresh_token', true)];
    }
    return [400, { error: 'unsupported_grant_type' }];
  };

  /** Google's checks of a service account's assertion: its signature, issuer, audience and expiry. */
  const jwtBearer = (assertion: string): [number, Record<string, unknown>] => {
    const [header = '', payload = '', signature = ''] = assertion.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const key = serviceAccounts.get(String(claims.iss));
    const signed = key !== undefined && verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'));
    if (!signed) return [400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }];
    if (claims.aud !== `${url}/token` || Number(claims.exp) * 1000 < Date.now()) {
      return [400, { error: 'invalid_grant', error_description: 'Invalid JWT: audience or expiry' }];
    }
    return [200, issue(String(claims.sub), 'jwt_bearer', false)];
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [status, body] =
        req.method === 'POST'
          ? handle(new URL(req.url ?? '/', 'http://x').pathname, new URLSearchParams(Buffer.concat(chunks).toString()))
          : [405, { error: 'method_not_allowed' }];
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    tokenUrl: `${url}/token`,
    deviceUrl: `${url}/devicecode`,
    introspectionUrl: `${url}/introspect`,
    clientId,
    setClientSecret: (secret) => void (clientSecret = secret),
    setAppUser: (user) => void (appUser = user),
    setLifetime: (seconds) => void (lifetimeS = seconds),
    trustServiceAccount: (issuer, publicKey) => void serviceAccounts.set(issuer, publicKey),
    revoke(token) {
      const t = tokens.get(token);
      if (t) t.expiresAt = 0;
    },
    approve(userCode, user) {
      const request = [...devices.values()].find((d) => d.userCode === userCode);
      if (!request) throw new Error(`no device request with code ${userCode}`);
      request.user = user;
    },
    introspect: (token) => live(token)?.user ?? null,
    isExpired: (token) => live(token) === null,
    issued: () => order.map((token) => ({ token, grant: tokens.get(token)?.grant ?? '', user: tokens.get(token)?.user ?? '' })),
    refreshTokens: () => [...refresh].map(([token, r]) => ({ token, valid: r.valid })),
    introspections,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
