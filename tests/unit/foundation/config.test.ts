import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';

function failure(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  it('has the contract’s defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      publicUrl: 'http://localhost:3000',
      databaseUrl: undefined,
      redisUrl: undefined,
      twilio: undefined,
      twilioApiUrl: 'https://api.twilio.com',
      imapUrls: [],
      mailFrom: 'Helpdesk <helpdesk@localhost>',
      language: 'fr',
      timezone: 'Europe/Paris',
    });
    expect(config.dataDir).toMatch(/\.helpdesk$/);
    expect(config.businessHours).toEqual({
      kind: 'weekly',
      windows: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startMinute: 480, endMinute: 1080 })),
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('builds PUBLIC_URL from PORT and reads several mailboxes', () => {
    const config = loadConfig({ PORT: '8080', IMAP_URL: 'imap://a:b@mail:143/INBOX  imaps://c:d@mail:993/Urgent' });
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.imapUrls).toHaveLength(2);
  });

  it.each([
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: expected a URL starting with postgres:\/\/ or postgresql:\/\//],
    [{ REDIS_URL: 'not a url' }, /^REDIS_URL: /],
    [{ HELPDESK_LANGUAGE: 'de' }, /^HELPDESK_LANGUAGE: expected fr or en$/],
    [{ HELPDESK_TIMEZONE: 'Mars/Olympus' }, /^HELPDESK_TIMEZONE: /],
    [{ PORT: 'eighty' }, /^PORT: /],
    [{ IMAP_URL: 'pop3://x@y' }, /^IMAP_URL: /],
    [{ SMTP_URL: 'http://x' }, /^SMTP_URL: /],
    [{ HELPDESK_BUSINESS_HOURS: 'weekdays 9-5' }, /^HELPDESK_BUSINESS_HOURS: /],
    [{ HELPDESK_COORDINATOR_PHONE: '0612' }, /^HELPDESK_COORDINATOR_PHONE: /],
    [{ TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32) }, /^TWILIO_AUTH_TOKEN: telephony needs all three/],
  ])('refuses %o with one line naming the variable', (env, message) => {
    const text = failure(env);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('turns telephony on only with all three Twilio variables', () => {
    const config = loadConfig({
      TWILIO_ACCOUNT_SID: 'AC' + '0'.repeat(32),
      TWILIO_AUTH_TOKEN: 'secret-token',
      TWILIO_PHONE_NUMBER: '+33900000000',
    });
    expect(config.twilio).toEqual({ accountSid: 'AC' + '0'.repeat(32), authToken: 'secret-token', phoneNumber: '+33900000000' });
  });
});
