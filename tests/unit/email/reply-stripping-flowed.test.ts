import { describe, expect, it } from 'vitest';
import { decodeFlowed } from '../../../src/intake/email/flowed.js';
import { parseEmail } from '../../../src/intake/email/parse.js';
import { splitReply } from '../../../src/intake/email/quoted.js';
import { GENEROUS } from './fixtures.js';

const crlf = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

/** A Thunderbird reply, format=flowed, bottom-posted under quoted paragraphs that were soft-wrapped. */
function thunderbirdFlowed(contentType: string): Buffer {
  return crlf(
    'From: Jane Smith <jane.smith@example.com>',
    'To: helpdesk@acme.example',
    'Subject: Re: [HD-1042] Printer',
    'Message-ID: <flowed-1@example.com>',
    'MIME-Version: 1.0',
    contentType,
    'Content-Transfer-Encoding: 8bit',
    '',
    'On 03/03/2026 10:00, Helpdesk ACME wrote:',
    '> Please restart the printer and tell us whether ',
    '> the paper jam message is gone. ',
    '>> Earlier: the printer on floor 2 ',
    '>> shows a jam.',
    '',
    'Restarted twice, the message ',
    'is still there.',
    ' From the tray nothing is missing.',
    '',
    '-- ',
    'Jane',
    '',
  );
}

describe('format=flowed (RFC 3676)', () => {
  it('joins soft breaks within one quote depth and never across depths', () => {
    const text = ['> first half ', '> second half', '>> deeper ', '>> still deeper', 'new ', 'text'].join('\n');
    expect(decodeFlowed(text, { delSp: false })).toBe(['> first half second half', '>> deeper still deeper', 'new text'].join('\n'));
  });

  it('ends a paragraph at a change of depth even after a soft break (§4.5)', () => {
    expect(decodeFlowed(['> quoted ', 'my answer'].join('\n'), { delSp: false })).toBe(['> quoted ', 'my answer'].join('\n'));
  });

  it('removes space-stuffing, keeps "-- " apart and drops the soft-break space with DelSp=yes', () => {
    expect(decodeFlowed([' From here ', 'on', '-- ', 'Jane'].join('\n'), { delSp: false })).toBe(
      ['From here on', '-- ', 'Jane'].join('\n'),
    );
    expect(decodeFlowed(['日本語の ', 'テキスト'].join('\n'), { delSp: true })).toBe('日本語のテキスト');
  });

  it('a flowed email reads with its quoted paragraphs whole and its new text apart', async () => {
    const email = await parseEmail(thunderbirdFlowed('Content-Type: text/plain; charset=UTF-8; format=flowed'), GENEROUS);
    expect(email.text.trim()).toBe(
      [
        'On 03/03/2026 10:00, Helpdesk ACME wrote:',
        '> Please restart the printer and tell us whether the paper jam message is gone. ',
        '>> Earlier: the printer on floor 2 shows a jam.',
        '',
        'Restarted twice, the message is still there.',
        'From the tray nothing is missing.',
        '',
        '-- ',
        'Jane',
      ].join('\n'),
    );
    expect(splitReply(email.text).reply).toBe('Restarted twice, the message is still there.\nFrom the tray nothing is missing.');
  });

  it('reads the parameter on a folded line and in a multipart/alternative part, with DelSp', async () => {
    const raw = crlf(
      'From: Jane Smith <jane.smith@example.com>',
      'Subject: Re: test',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative;',
      '\tboundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=UTF-8;',
      ' format=flowed; delsp=yes',
      '',
      'one ',
      'two',
      '> quoted ',
      '> more',
      '--b1',
      'Content-Type: text/html; charset=UTF-8',
      '',
      '<p>onetwo</p>',
      '--b1--',
      '',
    );
    expect((await parseEmail(raw, GENEROUS)).text.trim()).toBe('onetwo\n> quotedmore');
  });

  it('leaves text that is not flowed as it is', async () => {
    const email = await parseEmail(thunderbirdFlowed('Content-Type: text/plain; charset=UTF-8'), GENEROUS);
    expect(email.text).toContain('> Please restart the printer and tell us whether \n> the paper jam message is gone.');
  });
});
