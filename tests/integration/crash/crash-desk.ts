import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { QueryTypes } from 'sequelize';
import { inject } from 'vitest';
import { freePort } from '../../../src/runtime/ports.js';
import { COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';
import { createUser, IMAP_PASSWORD } from '../../support/dovecot.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../support/twilio-standin.js';

/**
 * The crash suite's desk: a database, a Redis database and a mailbox of its own, the SMTP receiver
 * and the Twilio stand-in, and the gateway itself as a child process (`bin/helpdesk.js start`, all
 * three roles, production timers), started, SIGKILLed and started again as an operator's
 * supervisor would. The gateway runs the compiled dist/ when it is current and the sources through
 * tsx otherwise (bin/helpdesk.js decides), so it always runs what is on disk.
 */

const BIN = path.resolve('bin/helpdesk.js');
export const HOTLINE = '+33100000000';
export const MAIL_FROM = 'Helpdesk <helpdesk@desk.example.org>';

export interface Gateway {
  child: ChildProcess;
  /** When /ready first answered 200. */
  readyAt: number;
  output(): string;
}

export interface CrashDesk {
  desk: TestDesk;
  receiver: SmtpReceiver;
  standIn: TwilioStandIn;
  /** The mailbox user the gateway reads (IMAP_URL), when asked for. */
  mailUser: string | undefined;
  mailRoot: string;
  /** The gateway's Redis: the shared server, the database of this desk. */
  redisUrl: string;
  port: number;
  start(): Promise<Gateway>;
  /** SIGKILL, as `kill -9`: no handler runs. Resolves with the moment of the kill. */
  kill9(gateway: Gateway): Promise<number>;
  count(sql: string, bind?: Record<string, unknown>): Promise<number>;
  rows<T extends object>(sql: string, bind?: Record<string, unknown>): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * `redisDb`: the gateway uses bull's default prefixes, so each crash test gets a Redis database
 * of its own (1-15; the other tests share database 0 under prefixes of their own).
 */
export async function createCrashDesk(options: { redisDb: number; mailbox?: boolean; env?: Record<string, string> }): Promise<CrashDesk> {
  const imap = inject('imap');
  const standIn = await startTwilioStandIn();
  const receiver = await startSmtpReceiver();
  const mailUser = options.mailbox ? await createUser(imap.mailRoot) : undefined;
  const redisUrl = `${inject('redisUrl')}/${options.redisDb}`;
  const env: Record<string, string> = {
    PUBLIC_URL: 'https://desk.example.org',
    MAIL_FROM,
    HELPDESK_LANGUAGE: 'fr',
    TWILIO_ACCOUNT_SID: standIn.accountSid,
    TWILIO_AUTH_TOKEN: standIn.authToken,
    TWILIO_PHONE_NUMBER: HOTLINE,
    TWILIO_API_URL: standIn.url,
    SMTP_URL: receiver.url,
    ...(mailUser ? { IMAP_URL: `imap://${mailUser}:${IMAP_PASSWORD}@${imap.host}:${imap.port}/INBOX` } : {}),
    ...options.env,
  };
  const desk = await createTestDesk(env);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'helpdesk-crash-'));
  await chmod(dataDir, 0o755);
  const port = await freePort();
  const children = new Set<ChildProcess>();

  const flushRedis = async () => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    await redis.flushdb();
    redis.disconnect();
  };
  await flushRedis();

  const start = async (): Promise<Gateway> => {
    const child = spawn(process.execPath, [BIN, 'start'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...env,
        HELPDESK_API_TOKEN: COORDINATOR_TOKEN,
        HELPDESK_BUSINESS_HOURS: 'always',
        HELPDESK_DATA_DIR: dataDir,
        DATABASE_URL: desk.databaseUrl,
        REDIS_URL: redisUrl,
        PORT: String(port),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`gateway exited ${child.exitCode}:\n${output}`);
      const status = await fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return { child, readyAt: Date.now(), output: () => output };
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`gateway not ready within 60 s:\n${output}`);
  };

  const rows = <T extends object>(sql: string, bind: Record<string, unknown> = {}) =>
    desk.sequelize.query<T>(sql, { bind, type: QueryTypes.SELECT });

  return {
    desk,
    receiver,
    standIn,
    mailUser,
    mailRoot: imap.mailRoot,
    redisUrl,
    port,
    start,
    async kill9(gateway) {
      const exited = once(gateway.child, 'exit');
      gateway.child.kill('SIGKILL');
      const at = Date.now();
      await exited;
      return at;
    },
    async count(sql, bind = {}) {
      const [row] = await rows<{ n: number }>(sql, bind);
      return Number(row?.n ?? 0);
    },
    rows,
    async close() {
      for (const child of children) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
      // The children's connections to this database must be gone before it is dropped.
      await new Promise((r) => setTimeout(r, 200));
      await flushRedis().catch(() => undefined);
      await desk.close();
      await standIn.stop();
      await receiver.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The outbox rows not sent yet, for a timeout's message. */
export function unsent(cd: Pick<CrashDesk, 'rows'>): () => Promise<unknown> {
  return () =>
    cd.rows(
      `SELECT id, kind, channel, status, attempts, error_code AS "errorCode", last_error AS "lastError",
              send_started_at IS NOT NULL AS marked, round(extract(epoch FROM next_attempt_at - now())) AS "dueInSeconds"
         FROM outbox WHERE status <> 'sent' ORDER BY id LIMIT 20`,
    );
}

/** The acknowledgements and offers the SMTP receiver got, by recipient: Message-IDs and copies. */
export function mailByRecipient(receiver: SmtpReceiver): Map<string, { messageIds: Set<string>; copies: number; subjects: string[] }> {
  const byRecipient = new Map<string, { messageIds: Set<string>; copies: number; subjects: string[] }>();
  for (const m of receiver.messages) {
    for (const to of m.envelope.to) {
      const entry = byRecipient.get(to.toLowerCase()) ?? { messageIds: new Set<string>(), copies: 0, subjects: [] };
      entry.messageIds.add(m.parsed.messageId ?? `(none ${entry.copies})`);
      entry.copies++;
      entry.subjects.push(m.parsed.subject ?? '');
      byRecipient.set(to.toLowerCase(), entry);
    }
  }
  return byRecipient;
}
