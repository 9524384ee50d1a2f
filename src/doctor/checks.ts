import { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import { probeMailbox } from '../intake/email/imap-client.js';
import { parseMailboxUrl } from '../config/mailbox-url.js';
import type { Logger } from '../log.js';
import { databaseService, redisService } from '../runtime/services.js';
import { databaseVersion } from '../store/db.js';

/** One line of `helpdesk doctor`: what was checked, and `ok` with a detail or what is wrong. */
export interface Finding {
  subject: string;
  ok: boolean;
  detail: string;
}

const TIMEOUT_MS = 10_000;

export async function checkDatabase(config: Config, log: Logger): Promise<Finding> {
  const subject = 'database';
  try {
    const service = await databaseService(config, log, { mode: 'join' });
    try {
      return { subject, ok: true, detail: `PostgreSQL ${await databaseVersion(service.url, TIMEOUT_MS)} (${service.origin})` };
    } finally {
      await service.stop();
    }
  } catch (err) {
    return { subject, ok: false, detail: reason(err) };
  }
}

export async function checkRedis(config: Config, log: Logger): Promise<Finding> {
  const subject = 'redis';
  try {
    const service = await redisService(config, log, { mode: 'join' });
    const redis = new Redis(service.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      connectTimeout: TIMEOUT_MS,
      retryStrategy: () => null,
    });
    // connect() only says "Connection is closed"; the reason (ECONNREFUSED, NOAUTH…) is in the event.
    let lastError: Error | undefined;
    redis.on('error', (err: Error) => {
      lastError = err;
    });
    try {
      await redis.connect().catch((err: unknown) => {
        throw lastError ?? err;
      });
      const info = await redis.info('server');
      const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
      return { subject, ok: true, detail: `Redis ${version} (${service.origin})` };
    } finally {
      redis.disconnect();
      await service.stop();
    }
  } catch (err) {
    return { subject, ok: false, detail: reason(err) };
  }
}

/** A login to each mailbox of IMAP_URL, and a look at the folder it reads. */
export async function checkMailboxes(config: Config): Promise<Finding[]> {
  if (config.imapUrls.length === 0) return [{ subject: 'mailboxes', ok: true, detail: 'IMAP_URL unset: no mail intake' }];
  return Promise.all(
    config.imapUrls.map(async (url) => {
      const spec = parseMailboxUrl(url);
      const subject = `mailbox ${spec.key}`;
      // Its token may come from a refresh token sealed in the database: the running reader says (GET /ready).
      if (spec.auth === 'oauth2') return { subject, ok: true, detail: 'auth=oauth2: not probed here, see the mailbox in GET /ready' };
      return { subject, ...(await probeMailbox(spec, TIMEOUT_MS)) };
    }),
  );
}

/** A GET of the account on TWILIO_API_URL: the SID and auth token are right, and the account active. */
export async function checkTwilio(config: Config): Promise<Finding> {
  const subject = 'twilio';
  if (!config.twilio) return { subject, ok: true, detail: 'TWILIO_* unset: telephony off' };
  const { accountSid, authToken } = config.twilio;
  try {
    const response = await fetch(`${config.twilioApiUrl}/2010-04-01/Accounts/${accountSid}.json`, {
      headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (response.status === 401) return { subject, ok: false, detail: 'Twilio refused TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (401)' };
    if (!response.ok) return { subject, ok: false, detail: `${config.twilioApiUrl} answered ${response.status}` };
    const account: unknown = await response.json();
    const status = typeof account === 'object' && account !== null && 'status' in account ? String(account.status) : 'unknown';
    return status === 'active'
      ? { subject, ok: true, detail: `account ${accountSid} active` }
      : { subject, ok: false, detail: `account ${accountSid} is ${status}` };
  } catch (err) {
    return { subject, ok: false, detail: `${config.twilioApiUrl}: ${reason(err)}` };
  }
}

function reason(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return reason(err.errors[0]);
  // fetch says "fetch failed" and keeps the reason (ECONNREFUSED, a certificate…) in its cause.
  if (err instanceof Error && err.cause !== undefined && err.message === 'fetch failed') return reason(err.cause);
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
