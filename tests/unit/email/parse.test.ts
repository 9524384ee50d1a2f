import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EmailParseError, parseEmail } from '../../../src/intake/email/parse.js';
import { GENEROUS, parseFixture, rawFixture } from './fixtures.js';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('parseEmail: headers and addresses', () => {
  it('reads a Gmail message: ids, addresses, date, UTF-8 quoted-printable text', async () => {
    const email = await parseFixture('gmail-en-new.eml');
    expect(email.messageId).toBe('CAHx8k2Vb1qT0mZr4nQ7pL9sW3eYd6uJf5gK2aB8cN1oR7tU0w@mail.gmail.com');
    expect(email.messageIdSynthesized).toBe(false);
    expect(email.inReplyTo).toBeNull();
    expect(email.references).toEqual([]);
    expect(email.from).toEqual({ name: 'Olivia Brown', address: 'olivia.brown@example.com' });
    expect(email.to).toEqual([{ name: null, address: 'helpdesk@acme.example' }]);
    expect(email.cc).toEqual([{ name: 'Daniel Reed', address: 'daniel.reed@example.com' }]);
    expect(email.replyTo).toBeNull();
    expect(email.subject).toBe("Laptop won't connect to the office Wi-Fi");
    expect(email.date?.toISOString()).toBe('2026-03-03T08:12:31.000Z');
    expect(email.text).toBe(
      'Hi,\n\nSince this morning my laptop (ACME-LT-0457) won’t connect to the ACME-Corp Wi-Fi. ' +
        'Windows says “Can’t connect to this network”.\nEthernet works fine.\n\nThanks,\nOlivia\n',
    );
    expect(email.html).toContain('<div dir="ltr"><div>Hi,</div>');
    expect(email.headers).toEqual({ 'return-path': ['<olivia.brown@example.com>'], 'delivered-to': ['helpdesk@acme.example'] });
    expect(email.attachments).toEqual([]);
    expect(email.omitted).toEqual([]);
    expect(email.report).toBeNull();
  });

  it('reads In-Reply-To and folded References without angle brackets, oldest first', async () => {
    const email = await parseFixture('gmail-fr-reply.eml');
    expect(email.inReplyTo).toBe('hd-1042.20260303T090000.7f3a9c@helpdesk.acme.example');
    expect(email.references).toEqual([
      'CAJm4Zq9X2pL8sN1vT6rY3bW0kF5hD7gC4aE9uI2oQ8mR1tS6y@mail.gmail.com',
      'hd-1042.20260303T090000.7f3a9c@helpdesk.acme.example',
    ]);
  });

  it('reads a Message-ID folded onto its own line (Outlook)', async () => {
    const email = await parseFixture('outlook-fr-windows1252.eml');
    expect(email.messageId).toBe('PR3P192MB0748C2D6A1E3F4B5A6C7D8E9F0A1B2C3@PR3P192MB0748.EURP192.PROD.OUTLOOK.COM');
  });

  it('keeps Reply-To apart from From (a web form sending on behalf of someone)', async () => {
    const email = await parseFixture('intranet-form-no-message-id.eml');
    expect(email.from).toEqual({ name: 'Formulaire intranet', address: 'intranet@acme.example' });
    expect(email.replyTo).toEqual({ name: 'Luc Moreau', address: 'luc.moreau@acme.example' });
  });

  it('lower-cases addresses', async () => {
    const email = await parseFixture('dsn-postfix-failed.eml');
    expect(email.from).toEqual({ name: 'Mail Delivery System', address: 'mailer-daemon@mx1.acme.example' });
  });

  it('collects the headers the classifier reads, every occurrence, unfolded', async () => {
    expect((await parseFixture('vacation-auto-replied-fr.eml')).headers).toEqual({
      'auto-submitted': ['auto-replied (vacation)'],
      precedence: ['bulk'],
      'return-path': ['<>'],
      'delivered-to': ['helpdesk@acme.example'],
    });
    expect((await parseFixture('outlook-oof-fr.eml')).headers).toEqual({
      'x-auto-response-suppress': ['All'],
      'return-path': ['<marie.lefevre@acme.example>'],
    });
    expect((await parseFixture('x-loop-redirected.eml')).headers).toEqual({
      'x-loop': ['helpdesk@acme.example'],
      'return-path': ['<jean.morel@acme.example>'],
      'delivered-to': ['helpdesk@acme.example'],
    });
  });
});

describe('parseEmail: charsets come out as Unicode', () => {
  it.each([
    ['gmail-fr-reply.eml', 'Re: [HD-1042] Imprimante du 2e étage en panne'], // UTF-8 B encoded-word
    ['outlook-fr-windows1252.eml', 'RE : [HD-1042] L’imprimante du 2e étage – toujours en panne'], // windows-1252 Q, two words
    ['outlook-oof-fr.eml', 'Réponse automatique\u00a0: [HD-1042] L’imprimante du 2e étage ne répond plus'], // "iso-8859-1" carrying cp1252 ’
    ['thunderbird-fr-latin1-flowed.eml', "Re: [HD-1043] Problème d'accès à la messagerie"], // ISO-8859-1 Q
    ['html-only-fr-iso8859-15.eml', 'Logiciel de paie bloqué - virements à 1 250 €'], // ISO-8859-15: 0xA4 is €
    ['gmx-de-iso8859-15.eml', 'Aw: [HD-1046] VPN-Zugang für externen Dienstleister'],
    ['apple-mail-de-attachments.eml', 'Drucker im 2. Stock druckt nur leere Seiten – dringend'],
    ['outlook-android-en-base64.eml', 'RE: [HD-1045] Replace battery on ACME-LT-0311 – tomorrow?'],
    ['iphone-fr-reply.eml', 'Re: [HD-1044] Écran noir au démarrage'],
    ['becky-ja-iso2022jp.eml', 'プリンターが動きません'],
    ['malformed-truncated.eml', 'Problème imprimante réseau'], // raw 8-bit latin-1 in the header
  ])('subject of %s', async (name, subject) => {
    expect((await parseFixture(name)).subject).toBe(subject);
  });

  it('decodes encoded-word display names', async () => {
    expect((await parseFixture('apple-mail-de-attachments.eml')).from).toEqual({
      name: 'Jürgen Weiß',
      address: 'juergen.weiss@acme.example',
    });
    expect((await parseFixture('outlook-fr-windows1252.eml')).from).toEqual({
      name: 'Lefèvre Marie',
      address: 'marie.lefevre@acme.example',
    });
    expect((await parseFixture('becky-ja-iso2022jp.eml')).from).toEqual({ name: '佐藤 健', address: 'k.sato@acme.example' });
  });

  it('decodes a windows-1252 quoted-printable body (€, ’, «»)', async () => {
    const { text } = await parseFixture('outlook-fr-windows1252.eml');
    expect(text).toContain('Le toner a été changé hier (coût : 89 €) mais ça n’imprime toujours pas.\n');
    expect(text).toContain('Le voyant « Attention » clignote en orange.');
  });

  it('decodes an 8-bit ISO-8859-1 body and joins format=flowed lines (RFC 3676)', async () => {
    const { text } = await parseFixture('thunderbird-fr-latin1-flowed.eml');
    expect(text).toContain(
      "J'ai vérifié : le compte n'est pas verrouillé, mais Outlook redemande le mot de passe à chaque démarrage depuis la mise à jour d'hier.\n",
    );
  });

  it('decodes an ISO-8859-15 body (0xA4 is €, not ¤)', async () => {
    const { text } = await parseFixture('gmx-de-iso8859-15.eml');
    expect(text).toContain('Die Rechnung über 49 € für\n');
  });

  it('decodes a base64 UTF-8 body with CRLF line ends to \\n', async () => {
    const { text } = await parseFixture('outlook-android-en-base64.eml');
    expect(text.startsWith('Thanks, tomorrow at 9 works for me. I’ll leave the laptop on my desk.\n\nGet Outlook for Android')).toBe(true);
    expect(text).not.toContain('\r');
  });

  it('decodes ISO-2022-JP', async () => {
    expect((await parseFixture('becky-ja-iso2022jp.eml')).text).toBe(
      '3階のプリンターが紙詰まりのエラーを表示しています。\n確認をお願いします。\n\n佐藤\n',
    );
  });

  it('repairs raw windows-1252 bytes in From and Subject', async () => {
    const raw = Buffer.concat([
      Buffer.from('From: J'),
      Buffer.from([0xe9]),
      Buffer.from('r'),
      Buffer.from([0xf4]),
      Buffer.from('me Blanc <jerome@acme.example>\r\n'),
      Buffer.from('Subject: '),
      Buffer.from([0x93]),
      Buffer.from('caf'),
      Buffer.from([0xe9]),
      Buffer.from([0x94]),
      Buffer.from(' =?utf-8?Q?cr=C3=A8me?=\r\n'),
      Buffer.from('\r\nbody\r\n'),
    ]);
    const email = await parseEmail(raw, GENEROUS);
    expect(email.from).toEqual({ name: 'Jérôme Blanc', address: 'jerome@acme.example' });
    expect(email.subject).toBe('“café” crème');
  });

  it('leaves raw UTF-8 headers (RFC 6532) as they are', async () => {
    const raw = Buffer.from(
      'From: Jérôme Blanc <jerome@acme.example>\r\nSubject: Écran cassé 日本\r\nMessage-ID: <écran.1@acme.example>\r\n\r\nbody\r\n',
      'utf8',
    );
    const email = await parseEmail(raw, GENEROUS);
    expect(email.subject).toBe('Écran cassé 日本');
    expect(email.messageId).toBe('écran.1@acme.example');
    expect(email.from?.name).toBe('Jérôme Blanc');
  });
});

describe('parseEmail: HTML-only messages become text', () => {
  it('converts a root text/html part', async () => {
    const email = await parseFixture('html-only-fr-iso8859-15.eml');
    expect(email.text).toBe(
      "Bonjour,\n\nDepuis la mise à jour de cette nuit, le logiciel de paie affiche l'erreur «\u00a0Licence expirée\u00a0» à l'ouverture.\n\n" +
        ' * Poste : ACME-PC-0192\n * Montant des virements bloqués : 1 250 €\n\nMerci de votre aide,\nNathalie Fontaine\nRessources humaines',
    );
    expect(email.html).toContain('<p>Bonjour,</p>');
  });

  it('converts an HTML body inside multipart/mixed, headings not upper-cased', async () => {
    const email = await parseFixture('intranet-form-no-message-id.eml');
    expect(email.text).toBe(
      'Demande d’accès\n\nDemandeur   Luc Moreau\nRessource   \\\\srv-fichiers\\Direction\n' +
        'Motif       Remplacement de Mme Petit pendant son congé\n\nFormulaire envoyé depuis l’intranet.',
    );
  });

  it('prefers the plain part of multipart/alternative', async () => {
    const email = await parseFixture('gmail-fr-reply.eml');
    expect(email.text.startsWith("Merci, j'ai redémarré l'imprimante")).toBe(true);
    expect(email.text).not.toContain('gmail_quote');
  });
});

describe('parseEmail: attachments', () => {
  it('gives name, type, size, SHA-256 and content; RFC 2231 names decoded', async () => {
    const email = await parseFixture('apple-mail-de-attachments.eml');
    expect(email.attachments.map(({ content: _content, ...meta }) => meta)).toEqual([
      {
        filename: 'Bildschirmfoto 2026-03-03 um 09.41.22.png',
        contentType: 'image/png',
        size: 274,
        sha256: 'bf25a781ce5516826c8686d65f33d5536eb10af4e6c1bd5dec5d8f3c8038b7ef',
        contentId: null,
        inline: true,
      },
      {
        filename: 'Druckprotokoll_März.txt',
        contentType: 'text/plain',
        size: 101,
        sha256: '22452d948c5e4eb916caea05975fef738528c71f4b4ef3ddc922ea46d256d721',
        contentId: null,
        inline: false,
      },
    ]);
    const [png, log] = email.attachments;
    expect(png?.content.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(sha256(png?.content ?? Buffer.alloc(0))).toBe('bf25a781ce5516826c8686d65f33d5536eb10af4e6c1bd5dec5d8f3c8038b7ef');
    expect(log?.content.toString('utf8')).toBe(
      'Druckauftrag 4711 – Status: Fehler 0x61011bed\nDruckauftrag 4712 – Status: leere Seite ausgegeben\n',
    );
    expect(email.omitted).toEqual([]);
  });

  it('leaves out an attachment over the per-attachment limit and says so', async () => {
    const email = await parseFixture('apple-mail-de-attachments.eml', { maxAttachmentBytes: 200, maxMessageBytes: 10_000 });
    expect(email.attachments.map((a) => a.filename)).toEqual(['Druckprotokoll_März.txt']);
    expect(email.omitted).toEqual([
      { filename: 'Bildschirmfoto 2026-03-03 um 09.41.22.png', contentType: 'image/png', size: 274, reason: 'attachment-too-large' },
    ]);
  });

  it('leaves out what would push the total over the per-message limit, keeping what still fits', async () => {
    const email = await parseFixture('apple-mail-de-attachments.eml', { maxAttachmentBytes: 1_000, maxMessageBytes: 300 });
    expect(email.attachments.map((a) => a.filename)).toEqual(['Bildschirmfoto 2026-03-03 um 09.41.22.png']);
    expect(email.omitted).toEqual([
      { filename: 'Druckprotokoll_März.txt', contentType: 'text/plain', size: 101, reason: 'message-too-large' },
    ]);

    const smallFirst = await parseFixture('apple-mail-de-attachments.eml', { maxAttachmentBytes: 1_000, maxMessageBytes: 150 });
    expect(smallFirst.attachments.map((a) => a.filename)).toEqual(['Druckprotokoll_März.txt']);
    expect(smallFirst.omitted.map((o) => [o.filename, o.reason])).toEqual([
      ['Bildschirmfoto 2026-03-03 um 09.41.22.png', 'message-too-large'],
    ]);
  });

  it('keeps the body when every attachment is left out', async () => {
    const email = await parseFixture('intranet-form-no-message-id.eml', { maxAttachmentBytes: 10, maxMessageBytes: 10 });
    expect(email.attachments).toEqual([]);
    expect(email.omitted).toEqual([
      { filename: 'formulaire-acces.pdf', contentType: 'application/pdf', size: 193, reason: 'attachment-too-large' },
    ]);
    expect(email.text).toContain('Luc Moreau');
  });

  it('names a part that has no filename', async () => {
    const email = await parseFixture('dsn-exchange-ndr-rfc822.eml');
    expect(email.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['attachment-1.txt', 'message/delivery-status'],
      ['attachment-2.eml', 'message/rfc822'],
    ]);
  });

  it('hashes the PDF of a web form', async () => {
    const [pdf] = (await parseFixture('intranet-form-no-message-id.eml')).attachments;
    expect(pdf?.filename).toBe('formulaire-acces.pdf');
    expect(pdf?.size).toBe(193);
    expect(pdf?.sha256).toBe('d009639f2187c44b0fa8838f659b03ac0d0a54cbfcda6b36ae9c54c2e564d06f');
  });
});

describe('parseEmail: delivery reports', () => {
  it('keeps the machine-readable parts of a DSN, whatever the limits', async () => {
    const email = await parseFixture('dsn-postfix-failed.eml', { maxAttachmentBytes: 1, maxMessageBytes: 1 });
    expect(email.attachments).toEqual([]);
    expect(email.report?.reportType).toBe('delivery-status');
    expect(email.report?.parts.map((p) => p.contentType)).toEqual(['message/delivery-status', 'text/rfc822-headers']);
    expect(email.report?.parts[1]?.text).toContain('Message-ID:\n <hd-1049.20260303T120000.a36b7d@helpdesk.acme.example>');
    // The report is not pasted into the text.
    expect(email.text).not.toContain('Reporting-MTA');
  });

  it('keeps only the header section of a returned message/rfc822', async () => {
    const email = await parseFixture('dsn-exchange-ndr-rfc822.eml');
    const returned = email.report?.parts.find((p) => p.contentType === 'message/rfc822');
    expect(returned?.text).toContain('Message-ID: <hd-1051.20260303T132040.5c6d7e@helpdesk.acme.example>');
    expect(returned?.text).not.toContain('Your request has been received under reference');
  });

  it('reads the report type of an MDN', async () => {
    const email = await parseFixture('mdn-read-receipt-fr.eml');
    expect(email.report?.reportType).toBe('disposition-notification');
  });
});

describe('parseEmail: missing Message-ID', () => {
  it('synthesises a stable id from the SHA-256 of the raw bytes', async () => {
    const raw = rawFixture('intranet-form-no-message-id.eml');
    const first = await parseEmail(raw, GENEROUS);
    const again = await parseEmail(Buffer.from(raw), GENEROUS);
    expect(first.messageId).toBe(`${sha256(raw)}@synthesized.invalid`);
    expect(first.messageIdSynthesized).toBe(true);
    expect(again.messageId).toBe(first.messageId);
    const changed = await parseEmail(Buffer.concat([raw, Buffer.from('\n')]), GENEROUS);
    expect(changed.messageId).not.toBe(first.messageId);
  });
});

describe('parseEmail: malformed input', () => {
  // Decision: damaged mail is parsed as far as it goes (a requester's problem is not lost to a broken
  // client); only bytes that are not an email at all throw EmailParseError, for quarantine.
  it('parses a damaged message best-effort: bad Date → null, truncated multipart, unknown charset, bad base64', async () => {
    const email = await parseFixture('malformed-truncated.eml');
    expect(email.messageId).toBe('broken-1772536000@acme.example');
    expect(email.from).toEqual({ name: 'Jean Morel', address: 'jean.morel@acme.example' });
    expect(email.date).toBeNull();
    expect(email.text).toBe("L'imprimante réseau du 1er ne répond plus depuis ce matin.\n");
    expect(email.attachments.map((a) => a.filename)).toEqual(['journal.log']);
  });

  it.each([
    ['an empty buffer', Buffer.alloc(0), 'empty'],
    ['white space only', Buffer.from('\r\n \r\n\t\n'), 'empty'],
    ['plain text without headers', Buffer.from('hello world\nthis is not mail\n'), 'not-an-email'],
    ['a PNG image', pngBytes(), 'not-an-email'],
  ])('throws EmailParseError for %s', async (_label, raw, reason) => {
    const error = await parseEmail(raw, GENEROUS).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(EmailParseError);
    expect((error as EmailParseError).reason).toBe(reason);
  });
});

describe('parseEmail: what mailparser refuses is read cut down, not quarantined', () => {
  const head =
    'From: Ann <ann@acme.example>\r\nTo: desk@desk.example\r\nSubject: printer\r\nMessage-ID: <m@acme.example>\r\nMIME-Version: 1.0\r\n';

  it('a header section past mailparser’s 1 MiB limit: the fields before the cut, the body, the original kept', async () => {
    const raw = Buffer.from(`From: a@acme.example\r\nX-Padding: ${'x'.repeat(2 * 1024 * 1024)}\r\n\r\nbody\r\n`);
    const email = await parseEmail(raw, GENEROUS);
    expect(email.from?.address).toBe('a@acme.example');
    expect(email.text.trim()).toBe('body');
    expect(email.attachments.map((a) => [a.filename, a.size])).toEqual([['original-message.eml', raw.length]]);
  });

  it('1,000 MIME parts (mailsplit stops at 1,000 nodes): the first parts are read, the original kept', async () => {
    const parts = Array.from(
      { length: 1000 },
      (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\n${i === 0 ? 'The printer is jammed' : `part ${i}`}\r\n`,
    );
    const raw = Buffer.from(`${head}Content-Type: multipart/mixed; boundary="b"\r\n\r\n${parts.join('')}--b--\r\n`);
    const email = await parseEmail(raw, GENEROUS);
    expect(email.subject).toBe('printer');
    expect(email.text).toContain('The printer is jammed');
    expect(email.text).not.toContain('part 999');
    expect(email.attachments.at(-1)?.filename).toBe('original-message.eml');
  });

  it('the original too large to keep is listed as left out, so that the requester is told', async () => {
    const parts = Array.from({ length: 1000 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`);
    const raw = Buffer.from(`${head}Content-Type: multipart/mixed; boundary="b"\r\n\r\n${parts.join('')}--b--\r\n`);
    const email = await parseEmail(raw, { maxAttachmentBytes: 1024, maxMessageBytes: 1024 });
    expect(email.omitted).toEqual([
      { filename: 'original-message.eml', contentType: 'message/rfc822', size: raw.length, reason: 'attachment-too-large' },
    ]);
  });

  it('a part whose own header section is over 1 MiB: the body read flat, without its MIME scaffolding', async () => {
    const part = `--b\r\nContent-Type: text/plain\r\nX-Pad: ${'x'.repeat(1_500_000)}\r\n\r\nThe scanner is jammed.\r\n--b--\r\n`;
    const raw = Buffer.from(`${head}Content-Type: multipart/mixed; boundary="b"\r\n\r\n${part}`);
    const email = await parseEmail(raw, GENEROUS);
    expect(email.subject).toBe('printer');
    expect(email.text.trim()).toBe('The scanner is jammed.');
    expect(email.attachments.map((a) => a.filename)).toEqual(['original-message.eml']);
  });

  it('a Message-ID over 998 characters is none (a stand-in is made) and an address over 254 is no address', async () => {
    const raw = Buffer.from(
      `From: ${'f'.repeat(300)}@acme.example\r\nCc: ${'c'.repeat(300)}@acme.example, bob@acme.example\r\nMessage-ID: ${'i'.repeat(2_000)}\r\nReferences: <${'r'.repeat(2_000)}@acme.example> <ok@acme.example>\r\nSubject: ids\r\n\r\nbody\r\n`,
    );
    const email = await parseEmail(raw, GENEROUS);
    expect(email.messageIdSynthesized).toBe(true);
    expect(email.references).toEqual(['ok@acme.example']);
    expect(email.from).toBeNull();
    expect(email.cc.map((a) => a.address)).toEqual(['bob@acme.example']);
  });

  it('HTML nested 10,000 deep (html-to-text overflows the stack) is read as flat text', async () => {
    const html = `${'<div>'.repeat(10_000)}Mon écran &eacute;teint<br>depuis ce matin${'</div>'.repeat(10_000)}`;
    const raw = Buffer.from(`${head}Content-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`);
    const email = await parseEmail(raw, GENEROUS);
    expect(email.text).toBe('Mon écran éteint\ndepuis ce matin');
  });
});

function pngBytes(): Buffer {
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAABAAAAAICAIAAAB/FOjAAAAA2UlEQVR42g3PwQBEMQxAwSAUIQhFCEIRglCEIBQhCEXI8R0/QhCKsDsGIyIMQYUpmLAEF7YQwhFSuEIJn9DCE0SUoagyFVOW4spWQjlK',
    'base64',
  );
}
