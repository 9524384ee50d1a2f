import type { OAuthConfig } from '../../config/oauth.js';

/**
 * The HTTP of OAuth2 (RFC 6749 §4.4 client credentials, §6 refresh, RFC 8628 device flow): the one
 * place the token endpoint is called. The client authenticates with client_secret_post, which both
 * Microsoft's identity platform and Google accept.
 */

export interface TokenResponse {
  accessToken: string;
  expiresIn: number | undefined;
  /** A new refresh token when the server rotates them (Microsoft does on every use). */
  refreshToken: string | undefined;
}

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | undefined;
  expiresIn: number;
  /** Seconds between polls; RFC 8628 §3.2: 5 when the server says nothing. */
  interval: number;
}

export interface TokenEndpoint {
  token(form: Record<string, string>): Promise<TokenResponse>;
  deviceAuthorization(): Promise<DeviceAuthorization>;
}

/**
 * A refusal or failure of the token endpoint. `code` is the endpoint's own OAuth2 error
 * (`invalid_client`, `invalid_grant`, `authorization_pending`…) or `unreachable`/`bad_response`;
 * the message quotes its description, never the secret or a token.
 */
export class OAuthError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'OAuthError';
  }
}

const TIMEOUT_MS = 15_000;
export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export function httpTokenEndpoint(oauth: OAuthConfig): TokenEndpoint {
  const client: Record<string, string> = {
    client_id: oauth.clientId,
    ...(oauth.clientSecret !== undefined ? { client_secret: oauth.clientSecret } : {}),
  };
  const scope: Record<string, string> = oauth.scope !== undefined ? { scope: oauth.scope } : {};
  return {
    async token(form) {
      // RFC 7523 §3.1: the signed assertion is the client's authentication; Google wants nothing else.
      const auth = form.grant_type === JWT_BEARER ? {} : client;
      const body = await post(oauth.tokenUrl, { ...auth, ...form });
      const accessToken = text(body, 'access_token');
      if (accessToken === undefined) throw new OAuthError('bad_response', `${oauth.tokenUrl} answered without an access_token`);
      return { accessToken, expiresIn: seconds(body, 'expires_in'), refreshToken: text(body, 'refresh_token') };
    },
    async deviceAuthorization() {
      const url = oauth.deviceAuthorizationUrl;
      if (url === undefined) {
        throw new OAuthError('bad_response', 'no device authorization endpoint is known for OAUTH_TOKEN_URL: set OAUTH_DEVICE_URL');
      }
      const body = await post(url, { ...client, ...scope });
      const deviceCode = text(body, 'device_code');
      const userCode = text(body, 'user_code');
      // Google still says verification_url, the name of RFC 8628's drafts.
      const verificationUri = text(body, 'verification_uri') ?? text(body, 'verification_url');
      if (deviceCode === undefined || userCode === undefined || verificationUri === undefined) {
        throw new OAuthError('bad_response', `${url} answered without a device_code, user_code and verification_uri`);
      }
      return {
        deviceCode,
        userCode,
        verificationUri,
        verificationUriComplete: text(body, 'verification_uri_complete'),
        expiresIn: seconds(body, 'expires_in') ?? 900,
        interval: seconds(body, 'interval') ?? 5,
      };
    },
  };
}

async function post(url: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    throw new OAuthError('unreachable', `${url} did not answer (${err instanceof Error ? err.message : String(err)}${cause})`);
  }
  const raw = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new OAuthError('bad_response', `${url} answered ${response.status} without JSON`);
  }
  if (typeof body !== 'object' || body === null)
    throw new OAuthError('bad_response', `${url} answered ${response.status} without a JSON object`);
  const fields = body as Record<string, unknown>;
  // RFC 6749 §5.2: {"error": "invalid_client", "error_description": "…"}, quoted as the server put it.
  const error = text(fields, 'error');
  if (!response.ok || error !== undefined) {
    const code = error ?? `http_${response.status}`;
    const description = text(fields, 'error_description');
    throw new OAuthError(code, description ? `${code}: ${description.split(/\r?\n/)[0]}` : code);
  }
  return fields;
}

function text(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function seconds(body: Record<string, unknown>, name: string): number | undefined {
  const value = Number(body[name]);
  return body[name] !== undefined && Number.isFinite(value) ? value : undefined;
}
