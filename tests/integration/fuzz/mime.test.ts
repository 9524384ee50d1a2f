import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMailboxUrl } from '../../../src/config/mailbox-url.js';
import { Gen } from '../../support/prng.js';
import { createMailDesk, mail, ticketsFrom, type MailDesk } from '../email/mail-desk.js';

/**
 * Corrupted MIME through the real intake (issue #11's fuzz suite, mail part): valid emails of many
 * clients, then truncated, with bytes flipped, broken base64, multipart nested hundreds deep, huge
 * headers, thousands of recipients, unknown charsets, missing or lying boundaries, raw garbage. Each
 * is delivered to Dovecot and read by the mail reader. Every one must be accounted for: a ticket, a
 * reply, a recorded automatic message or bounce, a duplicate, a dropped loop or automatic reply, or
 * quarantined, and quarantined only for having no header at all (the contract); the reader never
 * stops, and the desk is ready and opens a ticket for an ordinary email afterwards.
 *
 * Seeded: a failure names its seed and the emails' shapes, and FUZZ_SEED=<seed> replays it.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_203);
const EMAILS = 150;

let m: MailDesk;

beforeAll(async () => {
  m = await createMailDesk();
  await m.startReader();
});
afterAll(async () => {
  await m?.close();
});

const BASES = [
  'gmail-en-new.eml',
  'gmail-fr-reply.eml',
  'outlook-fr-windows1252.eml',
  'outlook-android-en-base64.eml',
  'apple-mail-de-attachments.eml',
  'html-only-fr-iso8859-15.eml',
  'becky-ja-iso2022jp.eml',
  'thunderbird-fr-latin1-flowed.eml',
  'dsn-postfix-failed.eml',
  'dsn-exchange-ndr-rfc822.eml',
  'mdn-read-receipt-fr.eml',
  'vacation-auto-replied-fr.eml',
  'precedence-bulk-newsletter.eml',
  'mailer-daemon-qmail.eml',
  'intranet-form-no-message-id.eml',
  'iphone-fr-reply.eml',
];

type Mutation = (g: Gen, raw: Buffer) => Buffer;

const ascii = (text: string) => Buffer.from(text, 'latin1');

/** Where the header section ends (the body starts), or the end. */
function bodyStart(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return raw.length;
  if (crlf === -1) return lf + 2;
  if (lf === -1) return crlf + 4;
  return Math.min(crlf + 4, lf + 2);
}

function multipart(g: Gen, depth: number): string {
  let body = `Content-Type: text/plain; charset=utf-8\r\n\r\nNested ${depth} deep: the scanner jams.\r\n`;
  for (let i = 0; i < depth; i++) {
    const boundary = `n${i}_${g.int(1e6)}`;
    body = `Content-Type: multipart/${g.pick(['mixed', 'alternative', 'related'])}; boundary="${boundary}"\r\n\r\n--${boundary}\r\n${body}--${boundary}--\r\n`;
  }
  return body;
}

const MUTATIONS: Record<string, Mutation> = {
  truncated: (g, raw) => raw.subarray(0, g.int(raw.length)),
  'flipped bytes': (g, raw) => {
    const out = Buffer.from(raw);
    for (let i = 0, n = 1 + g.int(40); i < n; i++) out[g.int(out.length)] = g.int(256);
    return out;
  },
  'broken base64': (g, raw) => {
    const start = bodyStart(raw);
    const junk = ascii(`Content-Transfer-Encoding: base64\r\n`);
    const body = Buffer.from(raw.subarray(start));
    for (let i = 0, n = 1 + g.int(200); i < n && body.length > 0; i++)
      body[g.int(body.length)] = g.pick([0x21, 0x3d, 0x2a, 0x7e, 0x0a, 0x80]);
    return Buffer.concat([junk, raw.subarray(0, start), body]);
  },
  'deep multipart nesting': (g) =>
    ascii(
      `From: Deep <deep${g.int(1e9)}@client.example>\r\nSubject: deep\r\nMessage-ID: <d${g.int(1e9)}@client.example>\r\nMIME-Version: 1.0\r\n${multipart(g, g.pick([50, 300, 1200]))}`,
    ),
  'huge header': (g, raw) => {
    const size = g.pick([100_000, 600_000, 1_500_000]);
    const field = g.chance(0.5)
      ? `X-Padding: ${'x'.repeat(size)}\r\n`
      : Array.from({ length: size / 50 }, (_, i) => `X-Trace-${i}: ${'y'.repeat(36)}\r\n`).join('');
    return Buffer.concat([ascii(field), raw]);
  },
  'thousands of recipients': (g, raw) => {
    const n = g.pick([2_000, 5_000]);
    const list = Array.from({ length: n }, (_, i) => `"Person ${i}" <p${i}@corp${i % 50}.example>`).join(',\r\n ');
    return Buffer.concat([ascii(`${g.chance(0.5) ? 'Cc' : 'To'}: ${list}\r\n`), raw]);
  },
  'invalid charset': (g, raw) => {
    const charset = g.pick(['x-unknown-42', 'utf-7', 'utf-16', 'ucs-4', '"', 'iso-8859-99', 'gb18030', '']);
    return Buffer.from(raw.toString('latin1').replace(/charset="?[^";\r\n]*"?/gi, `charset=${charset}`), 'latin1');
  },
  'missing boundary': (g, raw) => {
    const text = raw.toString('latin1');
    return Buffer.from(
      g.chance(0.5)
        ? text.replace(/boundary="?[^";\r\n]*"?/gi, '')
        : text.replace(/boundary="?([^";\r\n]*)"?/gi, 'boundary="not-in-the-body"'),
      'latin1',
    );
  },
  'garbage body': (g, raw) => {
    const bytes = Buffer.alloc(g.int(200_000));
    for (let i = 0; i < bytes.length; i++) bytes[i] = g.int(256);
    return Buffer.concat([raw.subarray(0, bodyStart(raw)), bytes]);
  },
  'no header at all': (g) => {
    const bytes = Buffer.alloc(1 + g.int(5_000));
    for (let i = 0; i < bytes.length; i++) bytes[i] = 0x20 + g.int(95);
    return bytes;
  },
  'NUL bytes and lone surrogates': (g, raw) => {
    const start = bodyStart(raw);
    const nul = ascii(
      `Subject: =?UTF-8?B?${Buffer.from('a\u0000b').toString('base64')}?= =?UTF-16BE?B?${Buffer.from([0xdc, 0, 0, 0x41]).toString('base64')}?=\r\n`,
    );
    return Buffer.concat([nul, raw.subarray(0, start), Buffer.from([0, 0, 0]), raw.subarray(start)]);
  },
  'long random ids and addresses': (g, raw) => {
    const hex = (n: number) => Array.from({ length: n }, () => g.int(16).toString(16)).join('');
    const fields = [
      `Message-ID: <${hex(g.pick([900, 3_000]))}@client.example>`,
      `From: <${hex(g.pick([200, 3_000]))}@client.example>`,
      `References: ${hex(4_000)}@x`,
    ];
    return Buffer.concat([ascii(`${fields.join('\r\n')}\r\n`), raw]);
  },
  'one long line': (g, raw) =>
    Buffer.concat([raw.subarray(0, bodyStart(raw)), ascii(g.pick(['a', '>', ' ', '=', '-']).repeat(g.pick([100_000, 700_000])))]),
};

async function outcomes(key: string): Promise<Map<string, number>> {
  const metric = m.desk.services.metrics.registry.getSingleMetric('helpdesk_mailbox_messages_total');
  const out = new Map<string, number>();
  for (const { labels, value } of metric ? (await metric.get()).values : []) {
    const outcome = labels.outcome;
    if (labels.mailbox === key && typeof outcome === 'string') out.set(outcome, (out.get(outcome) ?? 0) + value);
  }
  return out;
}

/** A fixture's bytes as they are (several are not UTF-8), its addresses and ids made unique to this email. */
function base(name: string, i: number): Buffer {
  const text = readFileSync(fileURLToPath(new URL(`../../fixtures/email/${name}`, import.meta.url)), 'latin1');
  return Buffer.from(text.split('@').join(`+${i}@`), 'latin1');
}

describe('corrupted MIME through the IMAP intake', () => {
  it(`every one of ${EMAILS} emails is accounted for, none lost, and the desk is ready after (seed ${SEED})`, async () => {
    const g = new Gen(SEED);
    const key = parseMailboxUrl(m.imapUrl).key;
    const shapes: string[] = [];
    for (let i = 0; i < EMAILS; i++) {
      const file = g.pick(BASES);
      const [name, mutation] = g.pick(Object.entries(MUTATIONS));
      shapes.push(`${i + 1}: ${name} of ${file}`);
      await m.deliver(mutation(g, base(file, i)));
    }
    const context = `seed ${SEED}; emails:\n${shapes.join('\n')}`;

    // Every UID stored (the cursor past them all), within a budget that a stall would blow.
    const until = Date.now() + 60_000;
    for (;;) {
      const lastUid = (await m.desk.services.store.mailboxes.get(key))?.lastUid ?? 0;
      if (lastUid >= EMAILS) break;
      expect(Date.now(), `the reader stopped at UID ${lastUid}; ${context}`).toBeLessThan(until);
      await sleep(100);
    }

    const counted = await outcomes(key);
    const total = [...counted.values()].reduce((a, b) => a + b, 0);
    expect(total, `outcomes ${JSON.stringify(Object.fromEntries(counted))}; ${context}`).toBe(EMAILS);
    expect(counted.get('skipped') ?? 0).toBe(0);

    const quarantined = await m.desk.sequelize.query<{ reason: string; uid: number }>('SELECT reason, uid FROM quarantine ORDER BY uid', {
      type: QueryTypes.SELECT,
    });
    expect(quarantined.length, context).toBe(counted.get('quarantined') ?? 0);
    for (const row of quarantined) {
      // Only mail without any header field goes to quarantine; a parser failure or a failed insert never does.
      expect(row.reason, `UID ${row.uid}: ${shapes[row.uid - 1]}; seed ${SEED}`).toMatch(/^unparsable \((empty|not-an-email)\)/);
    }
    const [tickets] = await m.desk.sequelize.query<{ n: number }>("SELECT count(*)::int AS n FROM tickets WHERE channel = 'email'", {
      type: QueryTypes.SELECT,
    });
    expect(tickets?.n, context).toBe(counted.get('ticket') ?? 0);

    expect((await request(m.desk.app).get('/ready')).status).toBe(200);
    await m.deliver(mail({ from: 'after-fuzz@client.example', subject: 'Still there?', body: 'The printer on floor 2 is jammed.' }));
    await m.caughtUp();
    expect(await ticketsFrom(m.desk, 'after-fuzz@client.example')).toHaveLength(1);
  }, 120_000);
});
