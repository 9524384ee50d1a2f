import { describe, expect, it } from 'vitest';
import { parseEmail } from '../../../src/intake/email/parse.js';
import { GENEROUS } from './fixtures.js';

/**
 * Issue #14, "Headers": raw 8-bit subjects in the sender's local charset read right (the body's declared
 * charset first, then chardet), the sender a person would name, and an attachment with an empty Content-Type.
 */

/** A message whose Subject and From name are raw bytes of `encoding`, as old clients send them. */
function raw(subject: Buffer, options: { declared: string | null; body: Buffer; name?: Buffer }): Buffer {
  const contentType = options.declared === null ? 'text/plain' : `text/plain; charset=${options.declared}`;
  return Buffer.concat([
    Buffer.from('From: '),
    options.name ?? Buffer.from('Sender'),
    Buffer.from(' <sender@example.cn>\r\nTo: helpdesk@acme.example\r\nSubject: '),
    subject,
    Buffer.from(
      `\r\nMessage-ID: <raw-${subject.length}@example.cn>\r\nMIME-Version: 1.0\r\nContent-Type: ${contentType}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`,
    ),
    options.body,
    Buffer.from('\r\n'),
  ]);
}

const CASES = [
  // [label, subject bytes (hex), expected subject, declared charset, body bytes (hex) in the same charset]
  ['Chinese GB18030, declared gb2312', 'b4f2d3a1bbfab2bbc4dcd3c3', '打印机不能用', 'gb2312', 'c7ebb0efc3a6bfb4bfb4b4f2d3a1bbfa'],
  ['Chinese GBK, declared gbk', 'cdf8c2e7b6cfc1cb', '网络断了', 'gbk', 'b0ecb9abcad2b5c4cdf8c2e7b6cfc1cba3acc7ebbea1bfecb4a6c0ed'],
  ['Chinese Big5, declared big5', 'a64caaedbef7a4a3afe0a5ce', '印表機不能用', 'big5', 'bdd0c0b0a6a3acddacdda64caaedbef7'],
  [
    'Japanese Shift_JIS, declared shift_jis',
    '8376838a8393835e815b82aa93ae82ab82dc82b982f1',
    'プリンターが動きません',
    'shift_jis',
    '82a88ae882a282b582dc82b7',
  ],
  [
    'Japanese EUC-JP, declared euc-jp',
    'a5d7a5eaa5f3a5bfa1bca4acc6b0a4ada4dea4bba4f3',
    'プリンターが動きません',
    'euc-jp',
    'a4aab4eaa4a4a4b7a4dea4b9',
  ],
  ['Russian KOI8-R, declared koi8-r', 'f0d2c9ced4c5d220cec520d2c1c2cfd4c1c5d4', 'Принтер не работает', 'koi8-r', 'f0cfcdcfc7c9d4c5'],
  [
    'Russian windows-1251, declared windows-1251',
    'cff0e8edf2e5f020ede520f0e0e1eef2e0e5f2',
    'Принтер не работает',
    'windows-1251',
    'cfeeeceee3e8f2e5',
  ],
] as const;

const hex = (text: string): Buffer => Buffer.from(text, 'hex');

describe('raw 8-bit subjects decoded by the declared charset', () => {
  it.each(CASES)('%s', async (_label, subject, expected, declared, body) => {
    const email = await parseEmail(raw(hex(subject), { declared, body: hex(body) }), GENEROUS);
    expect(email.subject).toBe(expected);
  });
});

/** Bodies written in the same charset as the subject, long enough for a detector (a sentence or two). */
const RUSSIAN_BODY = 'Показывает ошибку при печати и не работает с утра. Прошу помочь срочно, бухгалтерия не может распечатать счета.';

describe('raw 8-bit subjects with no declared charset: chardet over the header and the body', () => {
  it('Russian windows-1251', async () => {
    const body = hex(
      'cfeeeae0e7fbe2e0e5f220eef8e8e1eaf320eff0e820efe5f7e0f2e820e820ede520f0e0e1eef2e0e5f220f120f3f2f0e02e20cff0eef8f320efeeeceef7fc20f1f0eef7edee2c20e1f3f5e3e0ebf2e5f0e8ff20ede520eceee6e5f220f0e0f1efe5f7e0f2e0f2fc20f1f7e5f2e02e',
    );
    expect(new TextDecoder('windows-1251').decode(body)).toBe(RUSSIAN_BODY);
    const email = await parseEmail(raw(hex('cff0e8edf2e5f020ede520f0e0e1eef2e0e5f2'), { declared: null, body }), GENEROUS);
    expect(email.subject).toBe('Принтер не работает');
  });

  it('Russian KOI8-R', async () => {
    const body = hex(
      'f0cfcbc1dad9d7c1c5d420cfdbc9c2cbd520d0d2c920d0c5dec1d4c920c920cec520d2c1c2cfd4c1c5d420d320d5d4d2c12e20f0d2cfdbd520d0cfcdcfded820d3d2cfdececf2c20c2d5c8c7c1ccd4c5d2c9d120cec520cdcfd6c5d420d2c1d3d0c5dec1d4c1d4d820d3dec5d4c12e',
    );
    expect(new TextDecoder('koi8-r').decode(body)).toBe(RUSSIAN_BODY);
    const email = await parseEmail(raw(hex('f0d2c9ced4c5d220cec520d2c1c2cfd4c1c5d4'), { declared: null, body }), GENEROUS);
    expect(email.subject).toBe('Принтер не работает');
  });

  it('Japanese Shift_JIS', async () => {
    const body = hex(
      '8376838a8393835e815b82aa93ae82ab82dc82b982f1814288f38dfc82b782e982c683478389815b82aa955c8ea682b382ea82dc82b7814282e682eb82b582ad82a88ae882a282b582dc82b78142',
    );
    const email = await parseEmail(raw(hex('8376838a8393835e815b82aa93ae82ab82dc82b982f1'), { declared: null, body }), GENEROUS);
    expect(email.subject).toBe('プリンターが動きません');
  });

  it('Chinese GB18030', async () => {
    const body = hex(
      'c4fabac3a3acb0ecb9abcad2b5c4b4f2d3a1bbfab4d3bdf1ccecd4e7c9cfbfaacabcbecdb2bbc4dcb4f2d3a1c1cba3accfd4cabeb4edcef3b4fac2eba1a3c7ebbea1bfecb0efc3a6b4a6c0eda3acd0bbd0bba3a1',
    );
    const email = await parseEmail(raw(hex('b4f2d3a1bbfab2bbc4dcd3c3'), { declared: null, body }), GENEROUS);
    expect(email.subject).toBe('打印机不能用');
  });

  it('Japanese ISO-2022-JP written raw (7-bit escapes, no RFC 2047 word)', async () => {
    const subject = hex('1b24422557256a2573253f213c242c1b2842');
    expect(new TextDecoder('iso-2022-jp').decode(subject)).toBe('プリンターが');
    const email = await parseEmail(raw(subject, { declared: 'iso-2022-jp', body: Buffer.from('test') }), GENEROUS);
    expect(email.subject).toBe('プリンターが');
  });

  it('Western text keeps its windows-1252 reading', async () => {
    const subject = Buffer.from('R\xe9union d\x92\xe9quipe', 'latin1');
    const email = await parseEmail(raw(subject, { declared: null, body: Buffer.from('Bonjour') }), GENEROUS);
    expect(email.subject).toBe('Réunion d’équipe');
  });
});

describe('the sender a person would name', () => {
  function from(header: string): Buffer {
    return Buffer.from(`From: ${header}\r\nTo: helpdesk@acme.example\r\nSubject: x\r\nMessage-ID: <a@b.example>\r\n\r\nhello\r\n`);
  }

  it('an angle address with spaces is one address, not a name and someone else', async () => {
    const email = await parseEmail(from('<power quadrant system@example.com>'), GENEROUS);
    expect(email.from).toEqual({ name: null, address: '"power quadrant system"@example.com' });
  });

  it('a quoted local part with spaces is kept quoted', async () => {
    const email = await parseEmail(from('Jane Roe <"jane roe"@example.com>'), GENEROUS);
    expect(email.from).toEqual({ name: 'Jane Roe', address: '"jane roe"@example.com' });
  });

  it('an ordinary address is unchanged', async () => {
    const email = await parseEmail(from('"Roe, Jane" <Jane.Roe@Example.com>'), GENEROUS);
    expect(email.from).toEqual({ name: 'Roe, Jane', address: 'jane.roe@example.com' });
  });
});

describe('an attachment with an empty Content-Type', () => {
  it('is read as application/octet-stream, and the email is not quarantined', async () => {
    const rawEmail = Buffer.from(
      'From: a@b.example\r\nSubject: scan\r\nMessage-ID: <2@x.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n' +
        '--b\r\nContent-Type: text/plain\r\n\r\nSee the scan.\r\n--b\r\nContent-Type: \r\nContent-Disposition: attachment; filename="scan.bin"\r\n' +
        'Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n',
    );
    const email = await parseEmail(rawEmail, GENEROUS);
    expect(email.text.trim()).toBe('See the scan.');
    expect(email.attachments.map((a) => [a.filename, a.contentType, a.size])).toEqual([['scan.bin', 'application/octet-stream', 5]]);
  });
});
