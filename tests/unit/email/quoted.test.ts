import { describe, expect, it } from 'vitest';
import { splitReply } from '../../../src/intake/email/quoted.js';
import { parseFixture } from './fixtures.js';

const lines = (...all: string[]): string => all.join('\n');

describe('splitReply: English', () => {
  it('Gmail', () => {
    expect(
      splitReply(
        lines(
          'Thanks, the printer works again.',
          '',
          'On Tue, 3 Mar 2026 at 10:00, Helpdesk ACME <helpdesk@acme.example> wrote:',
          '',
          '> Hello,',
          '> Please restart the printer.',
          '',
        ),
      ),
    ).toEqual({
      reply: 'Thanks, the printer works again.',
      quoted: lines(
        'On Tue, 3 Mar 2026 at 10:00, Helpdesk ACME <helpdesk@acme.example> wrote:',
        '',
        '> Hello,',
        '> Please restart the printer.',
      ),
      signature: '',
    });
  });

  it('Gmail with the attribution wrapped over two lines', () => {
    const result = splitReply(
      lines(
        'Still broken.',
        '',
        'On Tue, Mar 3, 2026 at 10:00 AM Helpdesk Support Team at ACME <',
        'helpdesk@acme.example> wrote:',
        '',
        '> Hello,',
      ),
    );
    expect(result.reply).toBe('Still broken.');
    expect(result.quoted).toBe(
      lines('On Tue, Mar 3, 2026 at 10:00 AM Helpdesk Support Team at ACME <', 'helpdesk@acme.example> wrote:', '', '> Hello,'),
    );
  });

  it('Outlook "-----Original Message-----"', () => {
    expect(
      splitReply(
        lines(
          'The VPN still drops every ten minutes.',
          '',
          '-----Original Message-----',
          'From: Helpdesk ACME <helpdesk@acme.example>',
          'Sent: Tuesday, March 3, 2026 10:00 AM',
          'To: John Smith <john.smith@acme.example>',
          'Subject: [HD-1042] VPN disconnects',
          '',
          'Hello John,',
          'Please try again.',
        ),
      ),
    ).toEqual({
      reply: 'The VPN still drops every ten minutes.',
      quoted: lines(
        '-----Original Message-----',
        'From: Helpdesk ACME <helpdesk@acme.example>',
        'Sent: Tuesday, March 3, 2026 10:00 AM',
        'To: John Smith <john.smith@acme.example>',
        'Subject: [HD-1042] VPN disconnects',
        '',
        'Hello John,',
        'Please try again.',
      ),
      signature: '',
    });
  });

  it('Outlook "From: … Sent: …" header block; the sign-off stays in the reply (issue #14)', () => {
    expect(
      splitReply(
        lines(
          'Done, the laptop is on my desk.',
          '',
          'Best regards,',
          'John Smith',
          'Finance',
          '',
          'From: Helpdesk ACME <helpdesk@acme.example>',
          'Sent: Tuesday, March 3, 2026 10:00 AM',
          'To: John Smith <john.smith@acme.example>',
          'Subject: [HD-1045] Battery',
          '',
          'Hello John,',
          '',
          'Kind regards,',
          'ACME IT support',
        ),
      ),
    ).toEqual({
      reply: lines('Done, the laptop is on my desk.', '', 'Best regards,', 'John Smith', 'Finance'),
      quoted: lines(
        'From: Helpdesk ACME <helpdesk@acme.example>',
        'Sent: Tuesday, March 3, 2026 10:00 AM',
        'To: John Smith <john.smith@acme.example>',
        'Subject: [HD-1045] Battery',
        '',
        'Hello John,',
        '',
        'Kind regards,',
        'ACME IT support',
      ),
      signature: '',
    });
  });

  it('Apple Mail (the attribution inside the quote)', () => {
    expect(
      splitReply(
        lines(
          'It works, thank you!',
          '',
          '> On 3 Mar 2026, at 10:00, Helpdesk ACME <helpdesk@acme.example> wrote:',
          '> ',
          '> Hello,',
          '> Please restart.',
        ),
      ),
    ).toEqual({
      reply: 'It works, thank you!',
      quoted: lines('> On 3 Mar 2026, at 10:00, Helpdesk ACME <helpdesk@acme.example> wrote:', '>', '> Hello,', '> Please restart.'),
      signature: '',
    });
  });

  it('Thunderbird, bottom-posted, with an RFC 3676 "-- " signature', () => {
    expect(
      splitReply(
        lines(
          'On 03/03/2026 10:00, Helpdesk ACME wrote:',
          '> Hello,',
          '> Can you reboot?',
          '',
          'Rebooted, no change.',
          '',
          '-- ',
          'John Smith',
          'Finance',
        ),
      ),
    ).toEqual({
      reply: 'Rebooted, no change.',
      quoted: lines('On 03/03/2026 10:00, Helpdesk ACME wrote:', '> Hello,', '> Can you reboot?'),
      signature: lines('John Smith', 'Finance'),
    });
  });

  it('answers between quoted lines are all reply', () => {
    expect(
      splitReply(
        lines(
          'Hello,',
          '',
          'On Tue, 3 Mar 2026 at 10:00, Helpdesk <helpdesk@acme.example> wrote:',
          '> Did you restart it?',
          '',
          'Yes, twice.',
          '',
          '> Which model?',
          '',
          'HP M479.',
        ),
      ),
    ).toEqual({
      reply: lines('Hello,', '', 'Yes, twice.', '', 'HP M479.'),
      quoted: lines('On Tue, 3 Mar 2026 at 10:00, Helpdesk <helpdesk@acme.example> wrote:', '> Did you restart it?', '> Which model?'),
      signature: '',
    });
  });

  it('"Sent from my iPhone"', () => {
    expect(
      splitReply(
        lines(
          'Yes, 2 pm is fine.',
          '',
          'Sent from my iPhone',
          '',
          '> On 3 Mar 2026, at 10:00, Helpdesk ACME <helpdesk@acme.example> wrote:',
          '> Hello',
        ),
      ),
    ).toEqual({
      reply: 'Yes, 2 pm is fine.',
      quoted: lines('> On 3 Mar 2026, at 10:00, Helpdesk ACME <helpdesk@acme.example> wrote:', '> Hello'),
      signature: 'Sent from my iPhone',
    });
  });

  it('"Get Outlook for Android" and the underscore rule', () => {
    expect(
      splitReply(
        lines(
          'OK for tomorrow.',
          '',
          'Get Outlook for Android<https://aka.ms/AAb9ysg>',
          '________________________________',
          'From: Helpdesk ACME <helpdesk@acme.example>',
          'Sent: Tuesday, March 3, 2026 10:00:00 AM',
          'To: Tom Becker <tom.becker@acme.example>',
          'Subject: [HD-1045] Battery',
          '',
          'Hello Tom',
        ),
      ),
    ).toEqual({
      reply: 'OK for tomorrow.',
      quoted: lines(
        '________________________________',
        'From: Helpdesk ACME <helpdesk@acme.example>',
        'Sent: Tuesday, March 3, 2026 10:00:00 AM',
        'To: Tom Becker <tom.becker@acme.example>',
        'Subject: [HD-1045] Battery',
        '',
        'Hello Tom',
      ),
      signature: 'Get Outlook for Android<https://aka.ms/AAb9ysg>',
    });
  });

  it('a forwarded message below a note', () => {
    const result = splitReply(
      lines(
        'Can you look at this error?',
        '',
        '---------- Forwarded message ---------',
        'From: Backup <backup@acme.example>',
        'Date: Tue, Mar 3, 2026 at 2:00 AM',
        'Subject: Backup failed',
        'To: <ops@acme.example>',
        '',
        'Job 12 failed.',
      ),
    );
    expect(result.reply).toBe('Can you look at this error?');
    expect(result.quoted.startsWith('---------- Forwarded message ---------\nFrom: Backup')).toBe(true);
  });
});

describe('splitReply: French', () => {
  it('Gmail, with a non-breaking space before the colon and the attribution wrapped', () => {
    expect(
      splitReply(
        lines(
          'Merci, c’est réparé.',
          '',
          'Le mar. 3 mars 2026 à 10:00, Helpdesk ACME <helpdesk@acme.example> a',
          'écrit\u00a0:',
          '',
          '> Bonjour,',
          '> Redémarrez l’imprimante.',
        ),
      ),
    ).toEqual({
      reply: 'Merci, c’est réparé.',
      quoted: lines(
        'Le mar. 3 mars 2026 à 10:00, Helpdesk ACME <helpdesk@acme.example> a',
        'écrit\u00a0:',
        '',
        '> Bonjour,',
        '> Redémarrez l’imprimante.',
      ),
      signature: '',
    });
  });

  it('Outlook "-----Message d\'origine-----"', () => {
    expect(
      splitReply(
        lines(
          'Toujours en panne.',
          '',
          "-----Message d'origine-----",
          'De : Helpdesk ACME [mailto:helpdesk@acme.example]',
          'Envoyé : mardi 3 mars 2026 10:00',
          'À : Jean Dupont',
          'Objet : [HD-1042] VPN',
          '',
          'Bonjour Jean,',
        ),
      ),
    ).toEqual({
      reply: 'Toujours en panne.',
      quoted: lines(
        "-----Message d'origine-----",
        'De : Helpdesk ACME [mailto:helpdesk@acme.example]',
        'Envoyé : mardi 3 mars 2026 10:00',
        'À : Jean Dupont',
        'Objet : [HD-1042] VPN',
        '',
        'Bonjour Jean,',
      ),
      signature: '',
    });
  });

  it('Outlook "De : … Envoyé : …" without any address (Exchange internal), with "Cordialement" kept', () => {
    expect(
      splitReply(
        lines(
          'Toujours en panne.',
          '',
          'Cordialement,',
          'Jean Dupont',
          '',
          'De\u00a0: Support Informatique',
          'Envoyé\u00a0: mardi 3 mars 2026 10:00',
          'À\u00a0: Dupont Jean',
          'Objet\u00a0: RE: [HD-1042] VPN',
          '',
          'Bonjour,',
          '',
          'Cordialement,',
          'Le support',
        ),
      ),
    ).toEqual({
      reply: lines('Toujours en panne.', '', 'Cordialement,', 'Jean Dupont'),
      quoted: lines(
        'De\u00a0: Support Informatique',
        'Envoyé\u00a0: mardi 3 mars 2026 10:00',
        'À\u00a0: Dupont Jean',
        'Objet\u00a0: RE: [HD-1042] VPN',
        '',
        'Bonjour,',
        '',
        'Cordialement,',
        'Le support',
      ),
      signature: '',
    });
  });

  it('Apple Mail', () => {
    expect(
      splitReply(
        lines('Ça marche, merci !', '', '> Le 3 mars 2026 à 10:00, Helpdesk ACME <helpdesk@acme.example> a écrit :', '> ', '> Bonjour,'),
      ),
    ).toEqual({
      reply: 'Ça marche, merci !',
      quoted: lines('> Le 3 mars 2026 à 10:00, Helpdesk ACME <helpdesk@acme.example> a écrit :', '>', '> Bonjour,'),
      signature: '',
    });
  });

  it('Thunderbird', () => {
    expect(splitReply(lines('Réparé après redémarrage.', '', 'Le 03/03/2026 à 10:00, Helpdesk ACME a écrit :', '> Bonjour,'))).toEqual({
      reply: 'Réparé après redémarrage.',
      quoted: lines('Le 03/03/2026 à 10:00, Helpdesk ACME a écrit :', '> Bonjour,'),
      signature: '',
    });
  });

  it('"Envoyé de mon iPhone"', () => {
    expect(
      splitReply(
        lines(
          'Oui, passez à 14 h.',
          '',
          'Envoyé de mon iPhone',
          '',
          '> Le 3 mars 2026 à 10:00, Helpdesk ACME <helpdesk@acme.example> a écrit :',
        ),
      ),
    ).toEqual({
      reply: 'Oui, passez à 14 h.',
      quoted: '> Le 3 mars 2026 à 10:00, Helpdesk ACME <helpdesk@acme.example> a écrit :',
      signature: 'Envoyé de mon iPhone',
    });
  });

  it('"Télécharger Outlook pour Android"', () => {
    const result = splitReply(
      lines(
        'D’accord pour demain.',
        '',
        'Télécharger Outlook pour Android<https://aka.ms/AAb9ysg>',
        '________________________________',
        'De : Helpdesk ACME <helpdesk@acme.example>',
        'Envoyé : mardi 3 mars 2026 10:00',
        'À : Tom Becker',
        'Objet : [HD-1045] Batterie',
      ),
    );
    expect(result.reply).toBe('D’accord pour demain.');
    expect(result.signature).toBe('Télécharger Outlook pour Android<https://aka.ms/AAb9ysg>');
    expect(result.quoted.split('\n')[0]).toBe('________________________________');
  });

  it('prose that mentions someone writing stays reply', () => {
    const text = lines('Bonjour,', '', 'Le support m’a écrit : redémarrez le poste.', 'Je l’ai fait, sans effet.');
    expect(splitReply(text)).toEqual({ reply: text, quoted: '', signature: '' });
  });
});

describe('splitReply: German', () => {
  it('Gmail', () => {
    expect(
      splitReply(
        lines(
          'Danke, es geht wieder.',
          '',
          'Am Di., 3. März 2026 um 10:00 Uhr schrieb Helpdesk ACME <helpdesk@acme.example>:',
          '',
          '> Hallo,',
        ),
      ),
    ).toEqual({
      reply: 'Danke, es geht wieder.',
      quoted: lines('Am Di., 3. März 2026 um 10:00 Uhr schrieb Helpdesk ACME <helpdesk@acme.example>:', '', '> Hallo,'),
      signature: '',
    });
  });

  it('Outlook "-----Ursprüngliche Nachricht-----"', () => {
    expect(
      splitReply(
        lines(
          'Geht wieder, danke.',
          '',
          '-----Ursprüngliche Nachricht-----',
          'Von: Helpdesk ACME <helpdesk@acme.example>',
          'Gesendet: Dienstag, 3. März 2026 10:00',
        ),
      ),
    ).toEqual({
      reply: 'Geht wieder, danke.',
      quoted: lines(
        '-----Ursprüngliche Nachricht-----',
        'Von: Helpdesk ACME <helpdesk@acme.example>',
        'Gesendet: Dienstag, 3. März 2026 10:00',
      ),
      signature: '',
    });
  });

  it('Outlook "Von: … Gesendet: …" with "Mit freundlichen Grüßen" kept', () => {
    expect(
      splitReply(
        lines(
          'Der Drucker druckt wieder nicht.',
          '',
          'Mit freundlichen Grüßen',
          'Max Mustermann',
          '',
          'Von: Helpdesk ACME <helpdesk@acme.example>',
          'Gesendet: Dienstag, 3. März 2026 10:00',
          'An: Max Mustermann <max@acme.example>',
          'Betreff: [HD-1042] Drucker',
          '',
          'Hallo Max,',
        ),
      ),
    ).toEqual({
      reply: lines('Der Drucker druckt wieder nicht.', '', 'Mit freundlichen Grüßen', 'Max Mustermann'),
      quoted: lines(
        'Von: Helpdesk ACME <helpdesk@acme.example>',
        'Gesendet: Dienstag, 3. März 2026 10:00',
        'An: Max Mustermann <max@acme.example>',
        'Betreff: [HD-1042] Drucker',
        '',
        'Hallo Max,',
      ),
      signature: '',
    });
  });

  it('Apple Mail', () => {
    expect(
      splitReply(
        lines('Funktioniert, danke!', '', '> Am 03.03.2026 um 10:00 schrieb Helpdesk ACME <helpdesk@acme.example>:', '> ', '> Hallo,'),
      ),
    ).toEqual({
      reply: 'Funktioniert, danke!',
      quoted: lines('> Am 03.03.2026 um 10:00 schrieb Helpdesk ACME <helpdesk@acme.example>:', '>', '> Hallo,'),
      signature: '',
    });
  });

  it('Thunderbird', () => {
    expect(splitReply(lines('Nach dem Neustart behoben.', '', 'Am 03.03.26 um 10:00 schrieb Helpdesk ACME:', '> Hallo,'))).toEqual({
      reply: 'Nach dem Neustart behoben.',
      quoted: lines('Am 03.03.26 um 10:00 schrieb Helpdesk ACME:', '> Hallo,'),
      signature: '',
    });
  });

  it('"Von meinem iPhone gesendet"', () => {
    expect(
      splitReply(
        lines(
          'Ja, gerne um 14 Uhr.',
          '',
          'Von meinem iPhone gesendet',
          '',
          '> Am 03.03.2026 um 10:00 schrieb Helpdesk ACME <helpdesk@acme.example>:',
        ),
      ),
    ).toEqual({
      reply: 'Ja, gerne um 14 Uhr.',
      quoted: '> Am 03.03.2026 um 10:00 schrieb Helpdesk ACME <helpdesk@acme.example>:',
      signature: 'Von meinem iPhone gesendet',
    });
  });
});

describe('splitReply: what it leaves alone', () => {
  it('a message without history or signature is all reply, trimmed', () => {
    expect(splitReply('\n\nMy screen flickers.\r\nSince Monday.\n\n')).toEqual({
      reply: 'My screen flickers.\nSince Monday.',
      quoted: '',
      signature: '',
    });
  });

  it('"X wrote:" in prose without quoted lines after it stays reply', () => {
    const text = lines('My manager wrote:', 'we need the new laptop by Friday.');
    expect(splitReply(text).reply).toBe(text);
  });

  it('"N days ago X wrote:" followed by their unquoted words stays reply', () => {
    const text = lines('2 days ago my manager wrote:', 'we need the new laptop by Friday.', '', 'Can you order it?');
    expect(splitReply(text).reply).toBe(text);
  });

  it('a From: line that does not start a header block stays reply', () => {
    const text = lines('Hello,', '', 'From: the server room I cannot reach the NAS <nas01>.', 'Thanks');
    expect(splitReply(text).reply).toBe(text);
  });

  it('a sign-off followed by more message is not a signature', () => {
    const text = lines(
      'The scanner on floor 2 jams.',
      '',
      'Thanks,',
      ...Array.from({ length: 13 }, (_, i) => `Detail ${i + 1}: the tray was checked and is empty.`),
    );
    expect(splitReply(text)).toEqual({ reply: text, quoted: '', signature: '' });
  });

  it('a sign-off that is the whole message stays reply', () => {
    expect(splitReply('Thanks,\nOlivia')).toEqual({ reply: 'Thanks,\nOlivia', quoted: '', signature: '' });
  });

  it('stays fast on hostile input (linear patterns)', () => {
    const hostile = [
      Array.from({ length: 2_000 }, (_, i) => `Op dinsdag ${i} schreef iemand iets`).join('\n'),
      '2026 from <'.repeat(500),
      'Am x schrieb <'.repeat(800),
      `On ${'x '.repeat(20_000)}`,
      Array.from({ length: 5_000 }, () => 'Le 3 mars 2026 à 10:00, quelqu’un a écrit').join('\n'),
      Array.from({ length: 5_000 }, () => 'From: a <b@c>').join('\n'),
      `Hello\n${'Thanks,\n'.repeat(50_000)}`,
    ];
    const started = performance.now();
    for (const text of hostile) splitReply(text);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('splitReply: the fixtures', () => {
  it('Gmail, French reply', async () => {
    const { reply, signature } = splitReply((await parseFixture('gmail-fr-reply.eml')).text);
    expect(reply).toBe(
      "Merci, j'ai redémarré l'imprimante mais elle affiche toujours « Bourrage papier » alors qu'il n'y a plus rien dans le bac.\n\nClaire",
    );
    expect(signature).toBe('');
  });

  it('Outlook, French, windows-1252', async () => {
    const { reply, quoted, signature } = splitReply((await parseFixture('outlook-fr-windows1252.eml')).text);
    expect(reply).toBe(
      'Bonjour,\n\nLe toner a été changé hier (coût : 89 €) mais ça n’imprime toujours pas.\nLe voyant « Attention » clignote en orange.' +
        '\n\nCordialement,\n\nMarie Lefèvre\nService Comptabilité – ACME\nTél. : 01 23 45 67 89',
    );
    expect(signature).toBe('');
    expect(quoted.split('\n')[0]).toBe('De\u00a0: Helpdesk ACME');
  });

  it('Outlook for Android, base64', async () => {
    const { reply, signature } = splitReply((await parseFixture('outlook-android-en-base64.eml')).text);
    expect(reply).toBe('Thanks, tomorrow at 9 works for me. I’ll leave the laptop on my desk.');
    expect(signature).toBe('Get Outlook for Android<https://aka.ms/AAb9ysg>');
  });

  it('iPhone, French', async () => {
    const { reply, signature } = splitReply((await parseFixture('iphone-fr-reply.eml')).text);
    expect(reply).toBe('Oui, vous pouvez passer à 14 h, je serai à mon bureau (bâtiment B, 3e étage).');
    expect(signature).toBe('Envoyé de mon iPhone');
  });

  it('Thunderbird, French, bottom-posted', async () => {
    const { reply, signature } = splitReply((await parseFixture('thunderbird-fr-latin1-flowed.eml')).text);
    expect(reply).toBe(
      "J'ai vérifié : le compte n'est pas verrouillé, mais Outlook redemande le mot de passe à chaque démarrage depuis la mise à jour d'hier.",
    );
    expect(signature).toBe("Pierre Garnier\nDirection des systèmes d'information");
  });

  it('GMX, German, "Gesendet: … Von: …" block', async () => {
    const { reply, quoted, signature } = splitReply((await parseFixture('gmx-de-iso8859-15.eml')).text);
    expect(reply).toBe(
      'Hallo,\n\nder VPN-Zugang funktioniert jetzt, vielen Dank! Die Rechnung über 49 € für\ndie Lizenz schicke ich an die Buchhaltung.' +
        '\n\nMit freundlichen Grüßen\nMax Mustermann\nMustermann IT-Service GmbH',
    );
    expect(signature).toBe('');
    expect(quoted.split('\n')[0]).toBe('Gesendet: Dienstag, 03. März 2026 um 10:00 Uhr');
  });

  it('Apple Mail, German, new request: the sign-off stays with the text', async () => {
    const { reply, signature } = splitReply((await parseFixture('apple-mail-de-attachments.eml')).text);
    expect(reply.endsWith('Protokoll anbei.\n\nViele Grüße\nJürgen Weiß\nEinkauf, Raum 2.14')).toBe(true);
    expect(signature).toBe('');
  });
});
