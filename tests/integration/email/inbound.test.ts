import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseInboundUrl } from '../../../src/config/inbound-url.js';
import { listenForPushedMail, type MailInbound } from '../../../src/intake/email/inbound/start-inbound.js';
import type { RoleContext } from '../../../src/roles/types.js';
import { deleteKeys, uniquePrefix } from '../../support/redis.js';
import { waitFor } from '../../support/wait.js';
import { countRows, createMailDesk, DESK_DOMAIN, fixture, mail, newMessageId, ticketsFrom, type MailDesk } from './mail-desk.js';

/**
 * Mail pushed by an MTA (issue #15, CONTRACT.md "Mail connectivity"): nodemailer's SMTP transport
 * plays Postfix's lmtp/smtp client against the gateway's listener on the loopback; the database and
 * the IMAP mailbox are real. A 250 means committed: the rows are read right after it, with no wait.
 */
const SIZE = 64 * 1024;
const ANSWER_WITHIN_MS = 1_500;

let m: MailDesk;
let ctx: RoleContext;
let lmtp: MailInbound;
let smtp: MailInbound;
const routingPrefix = uniquePrefix();

interface Pushed {
  code: number;
  response: string;
}

/** One message handed over as an MTA would (LMTP or SMTP), and the reply it got for its one recipient. */
async function push(port: number, raw: string | Buffer, options: { lmtp?: boolean; to?: string } = {}): Promise<Pushed> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, lmtp: options.lmtp ?? true, ignoreTLS: true });
  try {
    const info = await transport.sendMail({ envelope: { from: 'mta@client.example', to: [options.to ?? `helpdesk@${DESK_DOMAIN}`] }, raw });
    // LMTP: a refusal of the message comes back per recipient, on a send that otherwise succeeds.
    const [refused] = info.rejectedErrors ?? [];
    if (refused) return { code: refused.responseCode ?? 0, response: refused.response ?? refused.message };
    return { code: Number(String(info.response).slice(0, 3)), response: String(info.response) };
  } catch (err) {
    const e = err as { responseCode?: number; response?: string; message: string; rejectedErrors?: { responseCode?: number }[] };
    return { code: e.responseCode ?? e.rejectedErrors?.[0]?.responseCode ?? 0, response: e.response ?? e.message };
  } finally {
    transport.close();
  }
}

beforeAll(async () => {
  m = await createMailDesk({
    env: {
      MAIL_INBOUND_URL: 'lmtp://127.0.0.1:0',
      MAIL_INBOUND_DOMAINS: `${DESK_DOMAIN}, it@other.example`,
      MAIL_INBOUND_MAX_SIZE: '64KB',
      HELPDESK_REQUEST_ADDRESS: `requests@${DESK_DOMAIN}`,
    },
  });
  ctx = {
    config: m.desk.config,
    log: m.desk.log,
    services: m.desk.services,
    redisUrl: m.desk.redisUrl,
    redis: m.desk.redis,
    health: new Map(),
  };
  const options = { routingPrefix, answerWithinMs: ANSWER_WITHIN_MS };
  lmtp = (await listenForPushedMail(ctx, options))!;
  const inbound = m.desk.config.mailInbound!;
  smtp = (await listenForPushedMail(
    { ...ctx, config: { ...m.desk.config, mailInbound: { ...inbound, spec: parseInboundUrl('smtp://127.0.0.1:0') } } },
    options,
  ))!;
});
afterAll(async () => {
  await lmtp?.stop();
  await smtp?.stop();
  await deleteKeys(m.desk.redisUrl, routingPrefix);
  await m?.close();
});

describe('a message pushed by the MTA', () => {
  it('is a ticket when the 250 arrives, by LMTP and by SMTP', async () => {
    const byLmtp = await push(
      lmtp.port,
      mail({ from: 'ana@client.example', subject: 'Printer jammed', body: 'The 3rd floor printer is jammed.' }),
    );
    expect(byLmtp.code).toBe(250);
    expect(byLmtp.response).toMatch(/^250 2\.6\.0 stored \(ticket \d+\)/);
    const [ticket] = await ticketsFrom(m.desk, 'ana@client.example');
    expect(ticket).toMatchObject({ subject: 'Printer jammed' });
    expect(await countRows(m.desk, `messages WHERE ticket_id = :id AND channel = 'email' AND direction = 'in'`, { id: ticket!.id })).toBe(
      1,
    );

    const bySmtp = await push(smtp.port, mail({ from: 'bo@client.example', subject: 'VPN down', body: 'The VPN refuses me.' }), {
      lmtp: false,
    });
    expect(bySmtp.code).toBe(250);
    expect(await ticketsFrom(m.desk, 'bo@client.example')).toHaveLength(1);
    // The acknowledgement is queued with the ticket, as for mail read by IMAP.
    expect(
      await countRows(m.desk, `outbox o JOIN tickets t ON t.id = o.ticket_id WHERE t.id = :id AND o.kind = 'requester.created'`, {
        id: ticket!.id,
      }),
    ).toBe(1);
  });

  it('sent to the request address in Bcc (only the RCPT TO names it) opens a request; the same mail to the desk alone, an incident', async () => {
    const typed = (address: string, type: string) =>
      countRows(
        m.desk,
        `tickets t JOIN requesters r ON r.id = t.requester_id WHERE r.emails @> ARRAY[:address]::text[] AND t.type = :type`,
        {
          address,
          type,
        },
      );
    const asked = mail({ from: 'rhea@client.example', subject: 'Access to the payroll app', body: 'Which application: payroll' });
    expect((await push(lmtp.port, asked, { to: `requests@${DESK_DOMAIN}` })).code).toBe(250);
    expect(await typed('rhea@client.example', 'request')).toBe(1);

    const told = mail({ from: 'sven@client.example', subject: 'Access to the payroll app', body: 'Which application: payroll' });
    expect((await push(lmtp.port, told)).code).toBe(250);
    expect(await typed('sven@client.example', 'incident')).toBe(1);
    expect(await typed('sven@client.example', 'request')).toBe(0);
  });

  it('redelivered (same Message-ID) is answered 250 and changes nothing', async () => {
    const raw = mail({ from: 'cy@client.example', subject: 'Screen flickers', body: 'Since this morning.', messageId: newMessageId() });
    expect((await push(lmtp.port, raw)).code).toBe(250);
    const messages = await countRows(m.desk, 'messages');
    const outbox = await countRows(m.desk, 'outbox');
    const again = await push(lmtp.port, raw);
    expect(again.code).toBe(250);
    expect(again.response).toContain('duplicate');
    expect(await ticketsFrom(m.desk, 'cy@client.example')).toHaveLength(1);
    expect(await countRows(m.desk, 'messages')).toBe(messages);
    expect(await countRows(m.desk, 'outbox')).toBe(outbox);
  });

  it('to a domain or address not listed is refused with 550; to a listed address, taken', async () => {
    const raw = mail({ from: 'dee@client.example', subject: 'Wrong place', body: 'Hello.' });
    const refused = await push(lmtp.port, raw, { to: 'someone@elsewhere.example' });
    expect(refused.code).toBe(550);
    expect(await ticketsFrom(m.desk, 'dee@client.example')).toHaveLength(0);
    expect((await push(lmtp.port, raw, { to: 'IT@other.example' })).code).toBe(250);
    expect(await ticketsFrom(m.desk, 'dee@client.example')).toHaveLength(1);
  });

  it('over MAIL_INBOUND_MAX_SIZE is refused with 552 and stores nothing', async () => {
    const big = mail({
      from: 'eve@client.example',
      subject: 'Huge log',
      body: 'x'
        .repeat(76)
        .concat('\r\n')
        .repeat(Math.ceil((SIZE * 1.5) / 78)),
    });
    const refused = await push(lmtp.port, big);
    expect(refused.code).toBe(552);
    expect(refused.response).toMatch(/5\.3\.4/);
    expect(await ticketsFrom(m.desk, 'eve@client.example')).toHaveLength(0);
    // The same connection's next message is served.
    expect((await push(lmtp.port, mail({ from: 'eve@client.example', subject: 'Smaller', body: 'Just a line.' }))).code).toBe(250);
  });

  it('that is a bounce naming nothing of ours opens no ticket: it is filtered mail, answered 250', async () => {
    const filtered = await countRows(m.desk, 'filtered_mail');
    const tickets = await countRows(m.desk, 'tickets');
    const reply = await push(lmtp.port, fixture('bounces/postfix-dsn-1.eml'));
    expect(reply.code).toBe(250);
    expect(reply.response).toContain('filtered');
    expect(await countRows(m.desk, 'tickets')).toBe(tickets);
    expect(await countRows(m.desk, `filtered_mail WHERE mailbox = 'lmtp://127.0.0.1:0' AND uid IS NULL`)).toBe(filtered + 1);
  });

  it('that cannot be parsed is quarantined and answered 250', async () => {
    const before = await countRows(m.desk, 'quarantine');
    const reply = await push(
      lmtp.port,
      Buffer.concat([Buffer.from('From: x@client.example\r\nSubject: broken\r\n\r\n'), Buffer.alloc(16, 0)]),
    );
    expect(reply.code).toBe(250);
    // Either the parser takes it (a ticket) or it is kept in quarantine: never refused, never lost.
    expect(['quarantined', 'ticket'].some((what) => reply.response.includes(what))).toBe(true);
    if (reply.response.includes('quarantined')) expect(await countRows(m.desk, 'quarantine')).toBe(before + 1);
  });

  it('counts its outcomes in /metrics and reports into /ready', async () => {
    const metrics = await m.desk.services.metrics.registry.metrics();
    expect(metrics).toMatch(/helpdesk_mailbox_messages_total\{mailbox="lmtp:\/\/127\.0\.0\.1:0",outcome="ticket"\} [1-9]/);
    expect(metrics).toMatch(/helpdesk_mailbox_messages_total\{mailbox="lmtp:\/\/127\.0\.0\.1:0",outcome="too_large"\} 1/);
    const probe = ctx.health.get('inbound:lmtp://127.0.0.1:0');
    expect(probe?.()).toMatchObject({ protocol: 'lmtp', port: lmtp.port });
  });

  it('many at once over 8 connections: each its own 250 and its own ticket', async () => {
    const raws = Array.from({ length: 40 }, (_, i) =>
      mail({ from: `load${i}@client.example`, subject: `Load ${i}`, body: `Request ${i}.` }),
    );
    const queues = Array.from({ length: 8 }, (_, lane) => raws.filter((_, i) => i % 8 === lane));
    const replies = (
      await Promise.all(
        queues.map(async (queue) => {
          const transport = nodemailer.createTransport({
            host: '127.0.0.1',
            port: lmtp.port,
            lmtp: true,
            ignoreTLS: true,
            pool: true,
            maxConnections: 1,
          });
          const out: string[] = [];
          for (const raw of queue)
            out.push(
              String(
                (await transport.sendMail({ envelope: { from: 'mta@client.example', to: [`helpdesk@${DESK_DOMAIN}`] }, raw })).response,
              ),
            );
          transport.close();
          return out;
        }),
      )
    ).flat();
    expect(replies.every((r) => r.startsWith('250'))).toBe(true);
    expect(await countRows(m.desk, `tickets t JOIN requesters r ON r.id = t.requester_id WHERE r.emails[1] LIKE 'load%'`)).toBe(40);
  });
});

describe('the database away', () => {
  it('refusing connections: 451 4.3.0, and once it is back the retried message is one ticket', async () => {
    const raw = mail({ from: 'fay@client.example', subject: 'Database away', body: 'Please help.' });
    const name = new URL(m.desk.databaseUrl).pathname.slice(1);
    // From the server's admin database: a database cannot refuse the session that changes it.
    const server = new pg.Client({ connectionString: inject('databaseUrl') });
    await server.connect();
    try {
      await server.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
      await server.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
      const started = Date.now();
      const refused = await push(lmtp.port, raw);
      expect(refused.code).toBe(451);
      expect(refused.response).toMatch(/4\.3\.0/);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(await countRows(m.desk, 'tickets').catch(() => 'unreachable')).toBe('unreachable');
    } finally {
      await server.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      await server.end();
    }
    expect((await push(lmtp.port, raw)).code).toBe(250);
    expect(await ticketsFrom(m.desk, 'fay@client.example')).toHaveLength(1);
  });

  it('not answering: 451 before the bound, the store finishes on its own, and the retry is a duplicate', async () => {
    const raw = mail({ from: 'gus@client.example', subject: 'Database stuck', body: 'Please help.' });
    const admin = new pg.Client({ connectionString: m.desk.databaseUrl });
    await admin.connect();
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE');
    let held = true;
    try {
      const started = Date.now();
      const refused = await push(lmtp.port, raw);
      expect(refused.code).toBe(451);
      expect(Date.now() - started).toBeLessThan(ANSWER_WITHIN_MS + 1_000);
      await admin.query('COMMIT');
      held = false;
    } finally {
      if (held) await admin.query('ROLLBACK');
      await admin.end();
    }
    const retried = await push(lmtp.port, raw);
    expect(retried.code).toBe(250);
    expect(await ticketsFrom(m.desk, 'gus@client.example')).toHaveLength(1);
    expect(
      await countRows(
        m.desk,
        `messages m JOIN tickets t ON t.id = m.ticket_id JOIN requesters r ON r.id = t.requester_id WHERE r.emails[1] = 'gus@client.example'`,
      ),
    ).toBe(1);
  });
});

describe('both intakes at once', () => {
  it('the same mail read from the mailbox by IMAP and pushed by the MTA makes one ticket each', async () => {
    await m.startReader();
    const raws = Array.from({ length: 6 }, (_, i) =>
      mail({ from: `both${i}@client.example`, subject: `Both ways ${i}`, body: 'Same mail twice.' }),
    );
    const replies = await Promise.all(raws.map(async (raw) => (await Promise.all([m.deliver(raw), push(lmtp.port, raw)]))[1]));
    expect(replies.every((r) => r.code === 250)).toBe(true);
    await m.caughtUp();
    for (let i = 0; i < raws.length; i++) expect(await ticketsFrom(m.desk, `both${i}@client.example`)).toHaveLength(1);
    expect(
      await countRows(
        m.desk,
        `messages m JOIN tickets t ON t.id = m.ticket_id JOIN requesters r ON r.id = t.requester_id WHERE r.emails[1] LIKE 'both%'`,
      ),
    ).toBe(6);
  });
});

describe('the allow-list', () => {
  it('refuses a client outside allow= at the greeting', async () => {
    const inbound = m.desk.config.mailInbound!;
    const guarded = (await listenForPushedMail(
      {
        ...ctx,
        health: new Map(),
        config: { ...m.desk.config, mailInbound: { ...inbound, spec: parseInboundUrl('lmtp://127.0.0.1:0?allow=10.0.0.0/8') } },
      },
      { routingPrefix },
    ))!;
    try {
      const refused = await push(guarded.port, mail({ from: 'hal@client.example', subject: 'Let me in', body: 'Hello.' }));
      expect(refused.code).toBe(554);
      expect(await ticketsFrom(m.desk, 'hal@client.example')).toHaveLength(0);
    } finally {
      await guarded.stop();
    }
  });
});

describe('LMTP with several recipients', () => {
  it('answers each recipient, refuses the foreign one at RCPT, and stores the message once', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: lmtp.port, lmtp: true, ignoreTLS: true });
    try {
      const info = await transport.sendMail({
        envelope: { from: 'mta@client.example', to: [`helpdesk@${DESK_DOMAIN}`, 'it@other.example', 'x@elsewhere.example'] },
        raw: mail({ from: 'jo@client.example', subject: 'Three recipients', body: 'Hello.' }),
      });
      expect(info.accepted).toEqual([`helpdesk@${DESK_DOMAIN}`, 'it@other.example']);
      expect(info.rejected).toEqual(['x@elsewhere.example']);
    } finally {
      transport.close();
    }
    expect(await ticketsFrom(m.desk, 'jo@client.example')).toHaveLength(1);
  });
});

describe('STARTTLS', () => {
  const openssl = spawnSync('openssl', ['version']).status === 0;
  it.skipIf(!openssl)('with tls_cert and tls_key, a client that requires TLS delivers over it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'helpdesk-inbound-tls-'));
    try {
      const cert = path.join(dir, 'cert.pem');
      const key = path.join(dir, 'key.pem');
      const made = spawnSync('openssl', [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ]);
      expect(made.status).toBe(0);
      const inbound = m.desk.config.mailInbound!;
      const spec = parseInboundUrl(`smtp://127.0.0.1:0?tls_cert=${encodeURIComponent(cert)}&tls_key=${encodeURIComponent(key)}`);
      const secured = (await listenForPushedMail(
        { ...ctx, health: new Map(), config: { ...m.desk.config, mailInbound: { ...inbound, spec } } },
        { routingPrefix },
      ))!;
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: secured.port,
        requireTLS: true,
        tls: { rejectUnauthorized: false },
      });
      try {
        const info = await transport.sendMail({
          envelope: { from: 'mta@client.example', to: [`helpdesk@${DESK_DOMAIN}`] },
          raw: mail({ from: 'kim@client.example', subject: 'Over TLS', body: 'Hello.' }),
        });
        expect(String(info.response)).toMatch(/^250/);
      } finally {
        transport.close();
        await secured.stop();
      }
      expect(await ticketsFrom(m.desk, 'kim@client.example')).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a stop', () => {
  it('lets the message being stored finish with its 250, then listens no more', async () => {
    const inbound = m.desk.config.mailInbound!;
    const own = (await listenForPushedMail(
      { ...ctx, health: new Map(), config: { ...m.desk.config, mailInbound: { ...inbound, spec: parseInboundUrl('lmtp://127.0.0.1:0') } } },
      { routingPrefix },
    ))!;
    const admin = new pg.Client({ connectionString: m.desk.databaseUrl });
    await admin.connect();
    try {
      // The table held for a moment, so that the stop comes while the message is being stored.
      await admin.query('BEGIN');
      await admin.query('LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE');
      const pushed = push(own.port, mail({ from: 'ivy@client.example', subject: 'Stopping', body: 'Hello.' }));
      await waitFor('the message in the store', async () => {
        const rows = await admin.query(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'tickets'::regclass`);
        return Number(rows.rows[0]?.n) > 0;
      });
      const stopped = own.stop();
      await admin.query('COMMIT');
      expect((await pushed).code).toBe(250);
      await stopped;
      expect(await ticketsFrom(m.desk, 'ivy@client.example')).toHaveLength(1);
      expect((await push(own.port, mail({ from: 'ivy@client.example', subject: 'After', body: 'Hello.' }))).code).toBe(0);
    } finally {
      await admin.end();
    }
  });
});
