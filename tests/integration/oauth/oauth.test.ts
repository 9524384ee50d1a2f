import { generateKeyPairSync } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginMailbox } from '../../../src/commands/mailbox.js';
import { parseMailboxUrl } from '../../../src/config/mailbox-url.js';
import type { MailboxStatus } from '../../../src/intake/email/mailbox.js';
import { startMailReaders } from '../../../src/intake/email/worker.js';
import { createLogger, type Logger } from '../../../src/log.js';
import { channelsFromConfig } from '../../../src/notify/channels-from-config.js';
import { startNotifier, type Notifier } from '../../../src/notify/notifier.js';
import { buildWebApp } from '../../../src/roles/web.js';
import type { RoleContext, RoleStopper } from '../../../src/roles/types.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';
import { createUser, deliver, startDovecot, IMAP_HOST, IMAP_PASSWORD, type RunningDovecot } from '../../support/dovecot.js';
import { startOAuthServer, type OAuthServer } from '../../support/oauth-server.js';
import { deleteKeys, uniquePrefix } from '../../support/redis.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.js';
import { waitFor } from '../../support/wait.js';
import { FAST, MAIL_FROM, mail, ticketsFrom } from '../email/mail-desk.js';
import { FAST as NOTIFY_FAST } from '../notify/fast.js';

/**
 * OAuth2 logins (issue #15) against real servers: Dovecot's oauth2 passdb asking the loopback token
 * server's introspection endpoint, an SMTP server that accepts XOAUTH2 alone, and tokens that live
 * 2 seconds, so that the gateway's own refresh is what keeps it reading and sending.
 */

let dir: string;
let dovecot: RunningDovecot;
let server: OAuthServer;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'oauth-test-'));
  // Dovecot's imap processes run as nobody and must traverse it to the maildirs.
  await chmod(dir, 0o755);
  server = await startOAuthServer();
  dovecot = await startDovecot(path.join(dir, 'dovecot'), { oauth2IntrospectionUrl: server.introspectionUrl });
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await dovecot?.stop();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function oauthEnv(secret = 'right-secret'): Record<string, string> {
  return {
    MAIL_FROM,
    OAUTH_TOKEN_URL: server.tokenUrl,
    OAUTH_DEVICE_URL: server.deviceUrl,
    OAUTH_CLIENT_ID: server.clientId,
    OAUTH_CLIENT_SECRET: secret,
    OAUTH_SCOPE: 'https://outlook.office365.com/.default',
  };
}

const oauthImapUrl = (user: string) => `imap://${user}@${IMAP_HOST}:${dovecot.port}/INBOX?auth=oauth2`;

async function desk(env: Record<string, string>): Promise<TestDesk> {
  const d = await createTestDesk({ HELPDESK_DATA_DIR: await mkdtemp(path.join(dir, 'data-')), ...env });
  cleanups.push(() => d.close());
  return d;
}

async function readers(d: TestDesk, log: Logger = d.log): Promise<RoleContext> {
  const ctx: RoleContext = { config: d.config, log, services: d.services, redisUrl: d.redisUrl, redis: d.redis, health: new Map() };
  const routingPrefix = uniquePrefix();
  const stop: RoleStopper = await startMailReaders(ctx, { settings: FAST, routingPrefix });
  cleanups.push(async () => {
    await stop();
    await deleteKeys(d.redisUrl, routingPrefix);
  });
  return ctx;
}

async function notifier(d: TestDesk): Promise<Notifier> {
  const prefix = uniquePrefix();
  const n = await startNotifier({
    store: d.services.store,
    log: d.log,
    redisUrl: d.redisUrl,
    prefix,
    channels: channelsFromConfig(d.config, d.services.oauth),
    timeZone: d.config.timezone,
    ...NOTIFY_FAST,
  });
  cleanups.push(async () => {
    await n.stop();
    await deleteKeys(d.redisUrl, prefix);
  });
  return n;
}

function mailboxStatus(ctx: RoleContext, imapUrl: string): MailboxStatus {
  const probe = ctx.health.get(`mailbox:${parseMailboxUrl(imapUrl).key}`);
  const value = probe?.();
  if (typeof value !== 'object') throw new Error(`no mailbox ${imapUrl} in the health map`);
  return value as unknown as MailboxStatus;
}

async function oneTicketFrom(d: TestDesk, address: string, ctx?: RoleContext): Promise<void> {
  await waitFor(`the ticket of ${address}`, async () => (await ticketsFrom(d, address)).length === 1, {
    timeoutMs: 15_000,
    explain: async () => [...(ctx?.health.values() ?? [])].map((probe) => probe()),
  });
}

describe('a mailbox and SMTP on OAuth2 client credentials', () => {
  let receiver: SmtpReceiver;
  beforeAll(async () => {
    receiver = await startSmtpReceiver({ oauth2: server, closeAfterEachMessage: true });
    cleanups.push(() => receiver.stop());
  });

  it('reads mail and sends the acknowledgements with tokens it fetched itself, across a token expiry', async () => {
    const user = await createUser(dovecot.mailRoot);
    server.setAppUser(user);
    const smtpUrl = `${receiver.url.replace('smtp://', `smtp://${user}@`)}?auth=oauth2`;
    const d = await desk({ ...oauthEnv(), IMAP_URL: oauthImapUrl(user), SMTP_URL: smtpUrl });
    const ctx = await readers(d);
    await notifier(d);

    await deliver(dovecot.mailRoot, user, mail({ from: 'alice@client.example', subject: 'Printer jammed', body: 'Again.' }));
    await oneTicketFrom(d, 'alice@client.example', ctx);
    const [first] = await receiver.waitFor(1, 15_000);
    expect(first?.envelope.to).toEqual(['alice@client.example']);
    expect(first?.user).toBe(user);
    const [firstToken] = server.issued();
    expect(firstToken).toMatchObject({ grant: 'client_credentials', user });

    // The first token dies; Dovecot drops the session, so the reader must log in again with a new one.
    await waitFor('the first token to expire', () => firstToken !== undefined && server.isExpired(firstToken.token), { timeoutMs: 5_000 });
    await dovecot.kick(user);
    await waitFor(
      'the reader to log in again',
      () => mailboxStatus(ctx, oauthImapUrl(user)).state === 'idle' && server.issued().length >= 2,
      {
        timeoutMs: 15_000,
      },
    );
    await deliver(dovecot.mailRoot, user, mail({ from: 'bob@client.example', subject: 'VPN down', body: 'Since noon.' }));
    await oneTicketFrom(d, 'bob@client.example');
    const [, second] = await receiver.waitFor(2, 15_000);
    expect(second?.envelope.to).toEqual(['bob@client.example']);
    expect(second?.user).toBe(user);

    // Dovecot accepted more than one token, each live when it asked; no token was used past its life.
    const accepted = new Set(server.introspections.filter((i) => i.active).map((i) => i.token));
    expect(accepted.size).toBeGreaterThanOrEqual(2);
    expect(server.introspections.every((i) => i.active)).toBe(true);
    expect(server.issued().every((t) => t.grant === 'client_credentials')).toBe(true);
  });
});

describe('a Google Workspace service account (RFC 7523 JWT bearer)', () => {
  it('reads the mailbox it impersonates with tokens from assertions signed by its key file', async () => {
    const user = await createUser(dovecot.mailRoot);
    // No client credentials: only a signed assertion gets a token here, as at Google.
    server.setAppUser(undefined);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const issuer = 'helpdesk@desk-project.iam.gserviceaccount.com';
    server.trustServiceAccount(issuer, publicKey);
    const keyFile = path.join(dir, `service-account-${user}.json`);
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeFile(keyFile, JSON.stringify({ type: 'service_account', client_email: issuer, private_key: pem }), { mode: 0o600 });
    const d = await desk({
      MAIL_FROM,
      OAUTH_TOKEN_URL: server.tokenUrl,
      OAUTH_CLIENT_ID: issuer,
      OAUTH_PRIVATE_KEY_FILE: keyFile,
      OAUTH_SCOPE: 'https://mail.google.com/',
      IMAP_URL: oauthImapUrl(user),
    });
    const ctx = await readers(d);
    await deliver(dovecot.mailRoot, user, mail({ from: 'iris@client.example', subject: 'Calendar sync', body: 'Broken.' }));
    await oneTicketFrom(d, 'iris@client.example', ctx);
    expect(
      server
        .issued()
        .filter((t) => t.user === user)
        .map((t) => t.grant),
    ).toEqual(['jwt_bearer']);
  });
});

describe('a token revoked before its expiry', () => {
  it('is refused once, then replaced: the reader logs in again and the acknowledgement goes out', async () => {
    // Long-lived tokens: only the refusal can make the gateway ask for a new one here.
    server.setLifetime(3600);
    const receiver = await startSmtpReceiver({ oauth2: server, closeAfterEachMessage: true });
    cleanups.push(() => receiver.stop());
    try {
      const user = await createUser(dovecot.mailRoot);
      server.setAppUser(user);
      const smtpUrl = `${receiver.url.replace('smtp://', `smtp://${user}@`)}?auth=oauth2`;
      const d = await desk({ ...oauthEnv(), IMAP_URL: oauthImapUrl(user), SMTP_URL: smtpUrl });
      const ctx = await readers(d);
      await notifier(d);
      await deliver(dovecot.mailRoot, user, mail({ from: 'gina@client.example', subject: 'Wifi drops', body: 'Often.' }));
      await oneTicketFrom(d, 'gina@client.example', ctx);
      await receiver.waitFor(1, 15_000);
      const mine = () => server.issued().filter((t) => t.user === user);
      const [held] = mine();
      expect(mine()).toHaveLength(1);

      server.revoke(held?.token ?? '');
      await dovecot.kick(user);
      await deliver(dovecot.mailRoot, user, mail({ from: 'hugo@client.example', subject: 'Disk full', body: 'C: drive.' }));
      await oneTicketFrom(d, 'hugo@client.example', ctx);
      const [, second] = await receiver.waitFor(2, 15_000);
      expect(second?.envelope.to).toEqual(['hugo@client.example']);
      // Dovecot saw the revoked token refused, then a new one accepted.
      expect(server.introspections.some((i) => i.token === held?.token && !i.active)).toBe(true);
      expect(mine().length).toBeGreaterThan(1);
      expect(server.introspections.some((i) => i.active && i.token !== held?.token)).toBe(true);
    } finally {
      server.setLifetime(2);
    }
  });
});

describe('a wrong client secret', () => {
  it('is reported plainly in the log, /ready and /metrics; the API and another mailbox keep working; fixed, it reads without a restart', async () => {
    const oauthUser = await createUser(dovecot.mailRoot);
    const passwordUser = await createUser(dovecot.mailRoot);
    server.setAppUser(oauthUser);
    const passwordUrl = `imap://${passwordUser}:${IMAP_PASSWORD}@${IMAP_HOST}:${dovecot.port}/INBOX`;
    const d = await desk({ ...oauthEnv('wrong-secret'), IMAP_URL: `${oauthImapUrl(oauthUser)} ${passwordUrl}` });
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    const ctx = await readers(d, log);

    const failed = await waitFor('the mailbox to report the refusal', () => {
      const s = mailboxStatus(ctx, oauthImapUrl(oauthUser));
      return s.lastError !== null && s;
    });
    expect(failed.lastError).toContain('invalid_client: AADSTS7000215: Invalid client secret provided.');
    expect(failed.connected).toBe(false);

    // The other mailbox reads on.
    await deliver(dovecot.mailRoot, passwordUser, mail({ from: 'carol@client.example', subject: 'Screen flickers', body: 'Help.' }));
    await oneTicketFrom(d, 'carol@client.example', ctx);

    const web = buildWebApp({ config: d.config, log: d.log, services: d.services, redis: d.redis, health: ctx.health });
    cleanups.push(() => web.close());
    const ready = await request(web.app).get('/ready');
    expect(ready.status).toBe(200);
    const details = ready.body.details as Record<string, MailboxStatus>;
    expect(details[`mailbox:${parseMailboxUrl(oauthImapUrl(oauthUser)).key}`]?.lastError).toContain('invalid_client');
    expect(details[`mailbox:${parseMailboxUrl(passwordUrl).key}`]).toMatchObject({ connected: true, lastError: null });
    expect((await request(web.app).get('/api/tickets').set(bearer(COORDINATOR_TOKEN))).status).toBe(200);

    const metrics = await d.services.metrics.registry.metrics();
    expect(metrics).toMatch(new RegExp(`helpdesk_oauth_token_failures_total\\{account="${oauthUser}",error="invalid_client"\\} [1-9]`));

    const logged = lines.join('');
    const refusal = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l.err).includes('invalid_client'));
    expect(refusal).toMatchObject({ mailbox: parseMailboxUrl(oauthImapUrl(oauthUser)).key });
    expect(logged).not.toContain('wrong-secret');
    expect(logged).not.toMatch(/at-[0-9a-f]{24}/);

    // The app's secret is set right at the identity provider: the reader gets in on its next attempt.
    server.setClientSecret('wrong-secret');
    try {
      await deliver(dovecot.mailRoot, oauthUser, mail({ from: 'dave@client.example', subject: 'Badge refused', body: 'At the door.' }));
      await oneTicketFrom(d, 'dave@client.example');
      expect(mailboxStatus(ctx, oauthImapUrl(oauthUser)).connected).toBe(true);
    } finally {
      server.setClientSecret('right-secret');
    }
  });
});

describe('helpdesk mailbox login (device code)', () => {
  it('stores a sealed refresh token that the reader then uses, and keeps the rotated one', async () => {
    const user = await createUser(dovecot.mailRoot);
    // No app-only grant: client credentials are refused, only the person's delegated sign-in works.
    server.setAppUser(undefined);
    const d = await desk({ ...oauthEnv(), IMAP_URL: oauthImapUrl(user) });

    const printed: string[] = [];
    const login = loginMailbox({
      config: d.config,
      storage: d.services.store.oauthTokens,
      mailbox: undefined,
      print: (l) => printed.push(l),
    });
    const shown = await waitFor('the code to be shown', () => printed.map((l) => /enter the code (\S+)/.exec(l)?.[1]).find(Boolean));
    expect(printed[0]).toContain(`${server.url}/device`);
    server.approve(shown, user);
    expect(await login).toBe(user);

    const sealedRows = () =>
      d.sequelize.query<{ account: string; sealed: Buffer }>('SELECT account, sealed FROM oauth_refresh_tokens', {
        type: QueryTypes.SELECT,
      });
    const [row] = await sealedRows();
    expect(row?.account).toBe(user);
    const [issued] = server.refreshTokens();
    expect(issued).toBeDefined();
    expect(row?.sealed.includes(Buffer.from(issued?.token ?? 'none'))).toBe(false);
    expect(row?.sealed.includes(Buffer.from('rt-'))).toBe(false);

    const ctx = await readers(d);
    await deliver(dovecot.mailRoot, user, mail({ from: 'erin@client.example', subject: 'Laptop slow', body: 'Very.' }));
    await oneTicketFrom(d, 'erin@client.example');
    expect(
      server
        .issued()
        .filter((t) => t.user === user)
        .map((t) => t.grant),
    ).toContain('refresh_token');
    // The server rotated the refresh token on use: the first is spent, the stored one is the new one.
    expect(server.refreshTokens().find((r) => r.token === issued?.token)?.valid).toBe(false);
    const [rotated] = await sealedRows();
    expect(rotated?.sealed.equals(row?.sealed ?? Buffer.alloc(0))).toBe(false);

    // Past the token's life and a forced new login, the stored (rotated) refresh token still works.
    const refreshes = () => server.issued().filter((t) => t.user === user && t.grant === 'refresh_token').length;
    const before = refreshes();
    await waitFor(
      'the access token to expire',
      () =>
        server
          .issued()
          .filter((t) => t.user === user)
          .every((t) => server.isExpired(t.token)),
      { timeoutMs: 5_000 },
    );
    await dovecot.kick(user);
    await deliver(dovecot.mailRoot, user, mail({ from: 'frank@client.example', subject: 'Mouse broken', body: 'Left button.' }));
    await oneTicketFrom(d, 'frank@client.example');
    expect(refreshes()).toBeGreaterThan(before);
    expect(mailboxStatus(ctx, oauthImapUrl(user)).connected).toBe(true);
  });
});
