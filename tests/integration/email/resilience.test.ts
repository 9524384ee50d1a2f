import { chmod, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryTypes } from 'sequelize';
import { ImapFlow } from 'imapflow';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { createReadiness } from '../../../src/roles/readiness.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MailboxStatus } from '../../../src/intake/email/mailbox.js';
import { parseMailboxUrl } from '../../../src/config/mailbox-url.js';
import type { RoleContext } from '../../../src/roles/types.js';
import { IMAP_PASSWORD, startDovecot, type RunningDovecot } from '../../support/dovecot.js';
import { countRows, createMailDesk, mail, ticketsFrom, type MailDesk } from './mail-desk.js';
import { waitFor } from '../../support/wait.js';

/** The processes whose parent is `pid` (Linux /proc). */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Field 4 is the parent pid; the command (field 2) may hold spaces, so count from its closing ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(entry));
  }
  return out;
}

/** What a reader reports into /ready. */
function status(ctx: RoleContext): MailboxStatus {
  const [probe] = [...ctx.health.values()];
  const value = probe?.();
  if (typeof value !== 'object') throw new Error('no mailbox in the health map');
  return value as unknown as MailboxStatus;
}

async function sendersWithTickets(m: MailDesk, prefix: string): Promise<Map<string, number>> {
  const rows = await m.desk.sequelize.query<{ email: string; n: number }>(
    `SELECT r.emails[1] AS email, count(*)::int AS n FROM tickets t JOIN requesters r ON r.id = t.requester_id
      WHERE r.emails[1] LIKE :prefix GROUP BY 1`,
    { replacements: { prefix: `${prefix}%` }, type: QueryTypes.SELECT },
  );
  return new Map(rows.map((r) => [r.email, r.n]));
}

describe('a restart in the middle of a backlog', () => {
  let m: MailDesk;
  beforeAll(async () => {
    m = await createMailDesk();
  });
  afterAll(async () => {
    await m?.close();
  });

  it('stores every message exactly once', async () => {
    const count = 150;
    for (let i = 0; i < count; i++) {
      await m.deliver(mail({ from: `backlog${i}@client.example`, subject: `Request ${i}`, body: `Request number ${i}.` }));
    }
    // Small batches, so that the stop lands between a batch's claims and the cursor's move.
    const first = await m.startReader({ batch: { messages: 7, bytes: 1024 * 1024 } });
    await waitFor('the first tickets', async () => (await countRows(m.desk, 'tickets')) >= 10);
    await first.stop();
    const midway = await countRows(m.desk, 'tickets');
    expect(midway).toBeLessThan(count);

    await m.startReader();
    await m.caughtUp();
    const perSender = await sendersWithTickets(m, 'backlog');
    expect(perSender.size).toBe(count);
    expect([...perSender.values()].every((n) => n === 1)).toBe(true);
    expect(await countRows(m.desk, `messages WHERE direction = 'in'`)).toBe(count);
    expect(await countRows(m.desk, `outbox WHERE kind = 'requester.created'`)).toBe(count);
  });
});

describe('a mail server restart', () => {
  let dir: string;
  let dovecot: RunningDovecot;
  let m: MailDesk;
  beforeAll(async () => {
    // A Dovecot of this file's own: restarting the shared one would cut the other files' readers.
    dir = await mkdtemp(path.join(os.tmpdir(), 'helpdesk-dovecot-restart-'));
    await chmod(dir, 0o755);
    dovecot = await startDovecot(dir, { users: [] });
    m = await createMailDesk({ imap: { host: dovecot.host, port: dovecot.port, mailRoot: dovecot.mailRoot } });
  });
  afterAll(async () => {
    await m?.close();
    await stopDovecot();
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * Stops the server as an init system does: the master, then what it leaves behind. Dovecot's imap
   * processes outlive a master stopped by SIGTERM here and keep serving their connections, which
   * would hide the restart from the reader.
   */
  async function stopDovecot(): Promise<void> {
    const master = Number((await readFile(path.join(dir, 'run', 'master.pid'), 'utf8').catch(() => '')).trim());
    const children = Number.isInteger(master) && master > 0 ? await childrenOf(master) : [];
    await dovecot?.stop();
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  it('is reported, then the reader reconnects and resumes where it stopped', async () => {
    const { ctx } = await m.startReader();
    await m.deliver(mail({ from: 'before@client.example', subject: 'Before the restart', body: 'First.' }));
    await waitFor('the first ticket', async () => (await ticketsFrom(m.desk, 'before@client.example')).length === 1);

    await stopDovecot();
    const down = await waitFor('the reader to notice', async () => {
      const s = status(ctx);
      return s.lastError !== null && !s.connected && s;
    });
    expect(['reconnecting', 'connecting', 'standby']).toContain(down.state);
    // /ready shows it, and stays 200: the database and Redis answer, mail waits in the mailbox.
    const app = createApp({
      config: m.desk.config,
      log: m.desk.log,
      store: m.desk.services.store,
      tickets: m.desk.services.tickets,
      metrics: m.desk.services.metrics,
      readiness: createReadiness(m.desk.services.store, m.desk.redis, m.desk.services.metrics, ctx.health),
    });
    const ready = await request(app).get('/ready');
    expect(ready.status).toBe(200);
    const details = ready.body.details as Record<string, MailboxStatus>;
    const mailbox = Object.entries(details).find(([name]) => name.startsWith('mailbox:'))?.[1];
    expect(mailbox).toMatchObject({ connected: false, reading: expect.any(Boolean) });
    expect(mailbox?.lastError).toBeTruthy();
    // Mail keeps arriving while the IMAP server is down (the MTA writes the maildir).
    await m.deliver(mail({ from: 'during@client.example', subject: 'During the restart', body: 'Second.' }));

    await dovecot.restart();
    await waitFor('the mail that came while down', async () => (await ticketsFrom(m.desk, 'during@client.example')).length === 1);
    await waitFor('IDLE again', async () => status(ctx).state === 'idle');
    await m.deliver(mail({ from: 'after@client.example', subject: 'After the restart', body: 'Third.' }));
    await waitFor('the mail after', async () => (await ticketsFrom(m.desk, 'after@client.example')).length === 1);
    expect(await countRows(m.desk, 'tickets')).toBe(3);

    // The reader may still be finishing the fetch that brought the third mail; /metrics shows the
    // state it settles in, which is IDLE.
    await waitFor('IDLE after the third mail', async () => status(ctx).state === 'idle');
    const metrics = await m.desk.services.metrics.registry.metrics();
    expect(metrics).toMatch(/helpdesk_mailbox_reconnects_total\{mailbox="[^"]+"\} [1-9]/);
    expect(metrics).toMatch(/helpdesk_mailbox_state\{mailbox="[^"]+",state="idle"\} 1/);
  });

  it('after a UIDVALIDITY change, reads the mailbox again and recognises what it already received', async () => {
    const other = await createMailDesk({ imap: { host: dovecot.host, port: dovecot.port, mailRoot: dovecot.mailRoot } });
    try {
      await other.startReader();
      for (const who of ['one', 'two', 'three']) {
        await other.deliver(mail({ from: `${who}@client.example`, subject: `Request from ${who}`, body: 'Hello.' }));
      }
      await other.caughtUp();
      const key = parseMailboxUrl(other.imapUrl).key;
      const before = await other.desk.services.store.mailboxes.get(key);

      // The server loses its UID list (a restore, a migration): every message gets a new UID under a new UIDVALIDITY.
      await stopDovecot();
      const home = path.join(dovecot.mailRoot, other.user);
      for (const file of await readdir(home)) {
        if (file === 'dovecot-uidlist' || file.startsWith('dovecot.index')) await rm(path.join(home, file), { force: true });
      }
      await sleep(1_100); // UIDVALIDITY is a timestamp in seconds
      await dovecot.restart();

      const after = await waitFor('the cursor under the new UIDVALIDITY', async () => {
        const cursor = await other.desk.services.store.mailboxes.get(key);
        return cursor !== null && cursor.uidValidity !== before?.uidValidity && cursor.lastUid >= 3 && cursor;
      });
      expect(after.lastUid).toBe(3);
      expect(await countRows(other.desk, 'tickets')).toBe(3);
      await other.deliver(mail({ from: 'four@client.example', subject: 'Request from four', body: 'Hello.' }));
      await waitFor('the next mail', async () => (await ticketsFrom(other.desk, 'four@client.example')).length === 1);
      expect(await countRows(other.desk, 'tickets')).toBe(4);
      expect(await countRows(other.desk, `messages WHERE direction = 'in'`)).toBe(4);
    } finally {
      await other.close();
    }
  });
});

describe('two readers on one mailbox', () => {
  let m: MailDesk;
  beforeAll(async () => {
    m = await createMailDesk();
  });
  afterAll(async () => {
    await m?.close();
  });

  it('only one reads; the other takes over when it stops', async () => {
    const a = await m.startReader();
    await waitFor('the first reader idle', async () => status(a.ctx).state === 'idle');
    const b = await m.startReader();
    await waitFor('the second reader on standby', async () => status(b.ctx).state === 'standby');

    for (let i = 0; i < 20; i++) await m.deliver(mail({ from: `pair${i}@client.example`, subject: `Pair ${i}`, body: 'Hello.' }));
    await m.caughtUp();
    expect(status(a.ctx).received).toBe(20);
    expect(status(b.ctx)).toMatchObject({ received: 0, reading: false, state: 'standby' });
    expect((await sendersWithTickets(m, 'pair')).size).toBe(20);

    await a.stop();
    await waitFor('the standby reading', async () => status(b.ctx).state === 'idle');
    await m.deliver(mail({ from: 'takeover@client.example', subject: 'After the takeover', body: 'Hello again.' }));
    await waitFor('the standby’s ticket', async () => (await ticketsFrom(m.desk, 'takeover@client.example')).length === 1);
    expect(status(b.ctx).received).toBe(1);
    expect(await countRows(m.desk, 'tickets')).toBe(21);

    // The lock's own database connection dies: the reader stops reading at once, takes the lock again, goes on.
    await m.desk.sequelize.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'helpdesk-mail-lock' AND datname = current_database()`,
    );
    await waitFor('the lost lock noticed', async () => status(b.ctx).lastError?.includes('lock') === true);
    await waitFor('reading again', async () => status(b.ctx).state === 'idle');
    await m.deliver(mail({ from: 'relock@client.example', subject: 'After the lost lock', body: 'Hello.' }));
    await waitFor('the ticket after the lost lock', async () => (await ticketsFrom(m.desk, 'relock@client.example')).length === 1);
  });
});

describe('a mailbox read with seen=yes', () => {
  let m: MailDesk;
  beforeAll(async () => {
    m = await createMailDesk({ query: '?seen=yes' });
  });
  afterAll(async () => {
    await m?.close();
  });

  it('flags each message \\Seen once it is stored', async () => {
    await m.startReader();
    await m.deliver(mail({ from: 'flag@client.example', subject: 'Flag me', body: 'Hello.' }));
    await m.caughtUp();
    const imap = inject('imap');
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: false,
      auth: { user: m.user, pass: IMAP_PASSWORD },
      logger: false,
    });
    await client.connect();
    try {
      await client.mailboxOpen('INBOX', { readOnly: true });
      const [message] = await client.fetchAll('1:*', { uid: true, flags: true });
      expect([...(message?.flags ?? [])]).toContain('\\Seen');
    } finally {
      await client.logout();
    }
  });
});
