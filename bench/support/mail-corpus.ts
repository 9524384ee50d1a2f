import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Varied inbound mail for the email benchmark, as a desk's mailbox sees it on an ordinary day: new
 * requests in French and English, replies threaded by References and by subject token, HTML-only
 * mail, attachments, CC'd colleagues, clients' real formats (the test fixtures, with fresh
 * Message-IDs), out-of-office answers and bounces.
 */

const FIXTURES = fileURLToPath(new URL('../../tests/fixtures/email/', import.meta.url));
const FIXTURE_NAMES = [
  'gmail-en-new.eml',
  'gmail-fr-reply.eml',
  'outlook-fr-windows1252.eml',
  'thunderbird-fr-latin1-flowed.eml',
  'iphone-fr-reply.eml',
  'outlook-android-en-base64.eml',
  'html-only-fr-iso8859-15.eml',
  'apple-mail-de-attachments.eml',
  'gmx-de-iso8859-15.eml',
  'becky-ja-iso2022jp.eml',
  'vacation-auto-replied-fr.eml',
  'dsn-postfix-failed.eml',
  'outlook-oof-fr.eml',
];

const SUBJECTS = [
  ['Imprimante du 2e étage en panne', "L'imprimante du 2e étage affiche « bourrage papier » alors que le bac est vide."],
  ['VPN refuses my password', 'Since this morning the VPN refuses my password, I changed it yesterday.'],
  ['Écran noir au démarrage', 'Mon poste reste sur un écran noir au démarrage depuis la mise à jour.'],
  ['Cannot open the shared drive', 'The S: drive says access denied since Monday; I need the budget folder.'],
  ['Messagerie très lente', 'Outlook met plus d’une minute à ouvrir chaque message depuis hier.'],
  ['New starter needs an account', 'Marie Dupont starts on Monday in accounting and needs an account and a laptop.'],
] as const;

function withMessageId(raw: string, id: string): string {
  const cleaned = raw.replace(/^Message-I[dD]:[^\n]*\n(?:[ \t][^\n]*\n)*/m, '');
  return `Message-ID: <${id}>\r\n${cleaned}`;
}

function plain(o: { id: string; from: string; subject: string; body: string; cc?: string; extra?: string[] }): string {
  return [
    `Return-Path: <${o.from}>`,
    `From: ${o.from}`,
    'To: Helpdesk <helpdesk@bench.example>',
    ...(o.cc ? [`Cc: ${o.cc}`] : []),
    `Subject: ${o.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${o.id}>`,
    ...(o.extra ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    o.body,
    '',
  ].join('\r\n');
}

function withAttachment(o: { id: string; from: string; subject: string; body: string }, bytes: number): string {
  const data = randomBytes(bytes).toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    `From: ${o.from}`,
    'To: Helpdesk <helpdesk@bench.example>',
    `Subject: ${o.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${o.id}>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="bench-boundary"',
    '',
    '--bench-boundary',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.body,
    '--bench-boundary',
    'Content-Type: application/pdf; name="capture.pdf"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="capture.pdf"',
    '',
    data,
    '--bench-boundary--',
    '',
  ].join('\r\n');
}

/** `count` messages; ticket numbers start at `firstNumber` in the order new requests are read. */
export function mailCorpus(count: number, firstNumber = 1001): string[] {
  const fixtures = FIXTURE_NAMES.map((name) => readFileSync(FIXTURES + name, 'utf8').replace(/\r?\n/g, '\r\n'));
  const out: string[] = [];
  const opened: { id: string; from: string; subject: string; number: number }[] = [];
  let tickets = 0;
  for (let i = 0; i < count; i++) {
    const id = `bench-${i}-${randomBytes(6).toString('hex')}@client.example`;
    const from = `user${i % 997}@client.example`;
    const [subject, body] = SUBJECTS[i % SUBJECTS.length]!;
    const earlier = opened.length > 0 ? opened[(i * 7919) % opened.length] : undefined;
    const slot = i % 20;
    if (earlier && slot === 3) {
      // A reply in the client's thread: In-Reply-To/References name the request.
      out.push(
        plain({
          id,
          from: earlier.from,
          subject: `Re: ${earlier.subject}`,
          body: `Still broken.\r\n\r\nOn Monday, ${earlier.from} wrote:\r\n> ${body}`,
          extra: [`In-Reply-To: <${earlier.id}>`, `References: <${earlier.id}>`],
        }),
      );
    } else if (earlier && slot === 7) {
      // A reply by subject token from the requester.
      out.push(
        plain({
          id,
          from: earlier.from,
          subject: `RE: [HD-${earlier.number}] ${earlier.subject}`,
          body: 'Voici la capture demandée.\r\n\r\nLe lundi, Helpdesk a écrit :\r\n> Pouvez-vous nous envoyer une capture ?',
        }),
      );
    } else if (slot === 11 || slot === 15) {
      // A client's real format; a reply in it may land on a ticket or open one, as its headers say.
      const fixture = fixtures[Math.floor(i / 20) % fixtures.length]!;
      out.push(withMessageId(fixture, id));
      if (!/multipart\/report|Auto-Submitted|X-Auto|Precedence/i.test(fixture)) tickets++;
      continue;
    } else if (slot === 13) {
      out.push(withAttachment({ id, from, subject, body }, 20_000 + ((i * 131) % 60_000)));
      opened.push({ id, from, subject, number: firstNumber + tickets++ });
    } else if (slot === 17) {
      out.push(plain({ id, from, subject, body, cc: `Manager ${i} <manager${i % 50}@client.example>` }));
      opened.push({ id, from, subject, number: firstNumber + tickets++ });
    } else if (earlier && slot === 19) {
      out.push(
        plain({
          id,
          from: earlier.from,
          subject: `Absence : ${earlier.subject}`,
          body: 'Je suis absent jusqu’à lundi.',
          extra: ['Auto-Submitted: auto-replied', `In-Reply-To: <${earlier.id}>`],
        }),
      );
    } else {
      out.push(plain({ id, from, subject, body: `${body}\r\n\r\nMerci,\r\n${from.split('@')[0]}` }));
      opened.push({ id, from, subject, number: firstNumber + tickets++ });
    }
  }
  return out;
}
