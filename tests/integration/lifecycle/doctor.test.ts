import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { createUser, deliver, IMAP_PASSWORD } from '../../support/dovecot.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../support/twilio-standin.js';
import { freshDataDir, runCli, userEnv } from './gateway.js';

// `helpdesk doctor` against servers that answer: the shared Postgres, Redis and Dovecot of the
// test run, and the Twilio stand-in.

let db: TestDatabase;
let twilio: TwilioStandIn;
let dataDir = '';

beforeAll(async () => {
  db = await createTestDatabase(inject('databaseUrl'));
  twilio = await startTwilioStandIn();
});
afterAll(async () => {
  await twilio?.stop();
  await db?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('helpdesk doctor', () => {
  it('says ok for each working part, and names a refused login and a wrong Twilio token', async () => {
    const { host, port, mailRoot } = inject('imap');
    const user = await createUser(mailRoot);
    await deliver(mailRoot, user, 'From: a@example.org\r\nSubject: hello\r\n\r\nHi.\r\n');
    const good = `imap://${user}:${IMAP_PASSWORD}@${host}:${port}/INBOX`;
    dataDir = await freshDataDir();
    const env = userEnv(dataDir, {
      DATABASE_URL: db.url,
      REDIS_URL: inject('redisUrl'),
      IMAP_URL: good,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_PHONE_NUMBER: '+33100000002',
      TWILIO_API_URL: twilio.url,
    });

    const fine = await runCli(['doctor'], env);
    expect(fine.stdout.trim().split('\n')).toEqual([
      'ok    configuration: every variable valid',
      expect.stringMatching(/^ok    database: PostgreSQL \d+.* \(DATABASE_URL\)$/),
      expect.stringMatching(/^ok    redis: Redis \d.* \(REDIS_URL\)$/),
      `ok    mailbox imap://${user}@${host}:${port}/INBOX: logged in; 1 messages in INBOX`,
      `ok    twilio: account ${twilio.accountSid} active`,
    ]);
    expect(fine.code).toBe(0);

    const wrong = await runCli(['doctor'], {
      ...env,
      IMAP_URL: `imap://${user}:not-the-password@${host}:${port}/INBOX`,
      TWILIO_AUTH_TOKEN: 'not-the-auth-token',
    });
    expect(wrong.code).toBe(1);
    const lines = wrong.stdout.trim().split('\n');
    expect(lines).toContain(`FAIL  mailbox imap://${user}@${host}:${port}/INBOX: login refused: check the user and password in IMAP_URL`);
    expect(lines).toContain('FAIL  twilio: Twilio refused TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (401)');
    expect(lines.filter((l) => l.startsWith('ok'))).toHaveLength(3);
  }, 60_000);
});
