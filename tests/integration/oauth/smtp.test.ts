import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpMailTransport } from '../../../src/notify/channels/smtp-mail.js';
import { httpTokenEndpoint } from '../../../src/mail/oauth/token-endpoint.js';
import { createTokenManager, type AccessTokens } from '../../../src/mail/oauth/token-manager.js';
import type { RefreshTokenVault } from '../../../src/mail/oauth/vault.js';
import { startOAuthServer, type OAuthServer } from '../../support/oauth-server.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.js';

/** nodemailer's XOAUTH2 fed by the token manager, against an SMTP server that accepts nothing else. */

const USER = 'helpdesk@desk.example';
const noRefreshTokens: RefreshTokenVault = { get: async () => null, put: async () => undefined };

let server: OAuthServer;
let receiver: SmtpReceiver;
let tokens: AccessTokens;

beforeAll(async () => {
  server = await startOAuthServer({ appUser: USER, lifetimeS: 3600 });
  receiver = await startSmtpReceiver({ oauth2: server, closeAfterEachMessage: true });
  const oauth = {
    tokenUrl: server.tokenUrl,
    clientId: server.clientId,
    clientSecret: 'right-secret',
    scope: undefined,
    deviceAuthorizationUrl: undefined,
    privateKeyFile: undefined,
  };
  tokens = createTokenManager({ oauth, endpoint: httpTokenEndpoint(oauth), vault: noRefreshTokens });
});

afterAll(async () => {
  await receiver?.stop();
  await server?.stop();
});

describe('SMTP with OAuth2', () => {
  it('sends with the manager token; a token revoked meanwhile is refused once and the send goes through with a new one', async () => {
    // A transport per send: a new pool, so a new connection and a new AUTH, as after an idle close.
    const send = async (subject: string) => {
      const transport = createSmtpMailTransport({ smtpUrl: receiver.url, from: `Helpdesk <${USER}>`, oauth: { user: USER, tokens } });
      try {
        await transport.send({ to: ['ann@client.example'], subject, text: subject, html: `<p>${subject}</p>` });
      } finally {
        await transport.close?.();
      }
    };
    await send('One');
    const [first] = await receiver.waitFor(1);
    expect(first?.user).toBe(USER);
    const [held] = server.issued();
    expect(server.issued()).toHaveLength(1);

    server.revoke(held?.token ?? '');
    await send('Two');
    await receiver.waitFor(2);
    // nodemailer presented the held token, was refused, asked again with `renew`, and got a new one.
    expect(server.issued()).toHaveLength(2);
    expect(await tokens.accessToken(USER)).toBe(server.issued()[1]?.token);
  });

  it('a token request that fails is a transient AUTH_FAILED naming the endpoint error: the email stays queued', async () => {
    server.setClientSecret('rotated');
    const transport = createSmtpMailTransport({ smtpUrl: receiver.url, from: `Helpdesk <${USER}>`, oauth: { user: USER, tokens } });
    try {
      server.revoke(server.issued().at(-1)?.token ?? '');
      const failure = await transport
        .send({ to: ['ann@client.example'], subject: 'Three', text: 'Third.', html: '<p>Third.</p>' })
        .catch((err: unknown) => err);
      expect(failure).toMatchObject({ kind: 'transient', code: 'AUTH_FAILED' });
      expect(String((failure as Error).message)).toContain('invalid_client: AADSTS7000215');
    } finally {
      server.setClientSecret('right-secret');
      await transport.close?.();
    }
  });
});
