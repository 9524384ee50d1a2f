import { afterEach, describe, expect, it } from 'vitest';
import { createParsePool, type EmailReader } from '../../../src/intake/email/parse-pool.js';
import { readEmail } from '../../../src/intake/email/read-email.js';
import { DEFAULT_EMAIL_SETTINGS } from '../../../src/intake/email/settings.js';
import { silentLogger } from '../../../src/log.js';

const limits = DEFAULT_EMAIL_SETTINGS.limits;

function email(subject: string, attachment?: Buffer): Buffer {
  const head = `From: Ana <ana@client.example>\r\nTo: help@desk.example\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@client.example>\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n`;
  if (!attachment) return Buffer.from(`${head}Content-Type: text/plain; charset=utf-8\r\n\r\nThe printer on floor 2 is jammed.\r\n`);
  return Buffer.from(
    `${head}Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the log.\r\n--b\r\n` +
      `Content-Type: application/octet-stream; name=log.bin\r\nContent-Disposition: attachment; filename=log.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n` +
      `${attachment.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n--b--\r\n`,
  );
}

/** 400,000 header fields (3 MB): the parser's objects for them outgrow a small heap. */
function manyHeaders(): Buffer {
  return Buffer.from(`From: big@client.example\r\nSubject: huge\r\n${'X-A: b\r\n'.repeat(400_000)}\r\nbody\r\n`);
}

/** A text body of `mb` megabytes. */
function long(mb: number): Buffer {
  return Buffer.concat([
    Buffer.from('From: big@client.example\r\nSubject: long\r\nMessage-ID: <long@client.example>\r\nContent-Type: text/plain\r\n\r\n'),
    Buffer.alloc(mb * 1024 * 1024, 'x'),
  ]);
}

describe('the parse pool', () => {
  let pool: EmailReader | undefined;
  afterEach(async () => {
    await pool?.close();
  });

  it('reads a batch as the main thread does, attachments as Buffers with their bytes', async () => {
    pool = createParsePool({ limits, log: silentLogger(), workers: 1 });
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    const raws = [email('Printer jammed'), email('Crash log', bytes)];
    const read = await pool.readAll(raws.map((raw) => ({ raw })));
    const here = await Promise.all(
      raws.map((raw) => readEmail({ settings: DEFAULT_EMAIL_SETTINGS }, { mailbox: { key: 'k', category: null, urgency: null }, raw })),
    );
    expect(read).toEqual(here);
    const [, withFile] = read;
    expect(withFile?.ok && Buffer.isBuffer(withFile.email.attachments[0]?.content)).toBe(true);
    expect(withFile?.ok && withFile.email.attachments[0]?.content.equals(bytes)).toBe(true);
  });

  it('with no worker (a machine of two cores or fewer), reads on the main thread, the same', async () => {
    const raws = [email('Printer jammed'), email('Crash log', Buffer.from('log line\n'.repeat(500)))];
    pool = createParsePool({ limits, log: silentLogger(), workers: 0 });
    const inline = await pool.readAll(raws.map((raw) => ({ raw })));
    const worker = createParsePool({ limits, log: silentLogger(), workers: 1 });
    try {
      expect(inline).toEqual(await worker.readAll(raws.map((raw) => ({ raw }))));
    } finally {
      await worker.close();
    }
    expect(inline.map((r) => r.ok && r.email.subject)).toEqual(['Printer jammed', 'Crash log']);
  });

  it('refuses only the email that kills its worker (out of memory); the rest of its batch is read, and the next batch too', async () => {
    pool = createParsePool({ limits, log: silentLogger(), workers: 1, maxHeapMb: 24 });
    const read = await pool.readAll([{ raw: email('Before') }, { raw: manyHeaders() }, { raw: email('After') }]);
    expect(read.map((r) => r.ok)).toEqual([true, false, true]);
    expect(read[1]?.ok === false && read[1].reason).toMatch(/^unparsable: the parser (failed|stopped)/);
    const next = await pool.readAll([{ raw: email('Next batch') }]);
    expect(next[0]?.ok && next[0].email.subject).toBe('Next batch');
  }, 60_000);

  it('ends a runaway read at its time limit, as unparsable, and goes on with a new worker', async () => {
    pool = createParsePool({ limits, log: silentLogger(), workers: 1, timeoutMs: 0, perEmailMs: 1 });
    const [slow] = await pool.readAll([{ raw: long(8) }]);
    expect(slow?.ok === false && slow.reason).toMatch(/^unparsable: reading took over/);
  }, 60_000);
});
