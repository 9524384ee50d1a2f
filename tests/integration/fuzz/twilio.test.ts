import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../../src/intake/twilio/signature.js';
import { STAGES } from '../../../src/intake/twilio/ivr-state.js';
import type { TestDesk } from '../../support/desk.js';
import { Gen } from '../../support/prng.js';
import {
  AUTH_TOKEN,
  HOTLINE,
  PUBLIC_URL,
  addTechnician,
  countTickets,
  knownRequester,
  openWebTicket,
  post,
  twilioDesk,
} from '../twilio/webhooks.js';

/**
 * Twilio's webhooks under random and malformed parameters, signed as Twilio signs them, then forged.
 * Signed: never a 5xx, whatever the values (missing From, bogus CallSid, huge Body, NUL, bytes that are
 * not UTF-8, random Digits and speech, numbers in odd formats, odd states in the query). Forged: 403,
 * and nothing in the database changes. The desk answers a real request afterwards.
 *
 * The generator is seeded: a failure names its seed and request, and FUZZ_SEED=<seed> replays it.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_111);
const SIGNED = 260;
const FORGED = 90;

/**
 * A value as bytes on the wire. Most are UTF-8 text; some carry bytes no UTF-8 decoder accepts (a
 * lone surrogate encoded CESU-style, an overlong NUL, 0xFF), which reach the handler undecoded.
 */
type Wire = number[];

const utf8 = (s: string): Wire => [...Buffer.from(s, 'utf8')];
const PIECES = [
  'é',
  '’',
  'ç',
  '👍',
  '\u0000',
  '\r\n',
  '\t',
  '&',
  '=',
  '+',
  '%',
  '<Say>x</Say>',
  ']]>',
  '\u202e',
  '\u00a0',
  '中文',
  '؟',
  ' ',
  'a',
  'Z',
  '9',
  '#',
  '*',
];
const BAD_BYTES: readonly Wire[] = [[0xed, 0xa0, 0xbd], [0xed, 0xb0, 0x80], [0xc0, 0x80], [0xff], [0x00], [0xe2, 0x82]];

function text(g: Gen): Wire {
  switch (g.int(6)) {
    case 0:
      return [];
    case 1: {
      const out: Wire = [];
      for (let i = g.int(40); i > 0; i -= 1) out.push(...(g.chance(0.15) ? g.pick(BAD_BYTES) : utf8(g.pick(PIECES))));
      return out;
    }
    case 2:
      // Huge: one SMS worth many times over, with or without spaces.
      return utf8(g.chance(0.5) ? 'x'.repeat(20_000 + g.int(30_000)) : 'mon imprimante '.repeat(1_000 + g.int(2_500)));
    default: {
      let s = '';
      for (let i = g.int(30); i > 0; i -= 1) s += String.fromCharCode(32 + g.int(95));
      return utf8(s);
    }
  }
}

const PHONES = [
  '+33612345678',
  '0612345678',
  '+33 6 12 34 56 78',
  '+1 (555) 010-0000',
  '',
  '+',
  '+0000',
  '+1234567890123456789',
  '+266696687',
  'anonymous',
  'client:alice',
  'sip:bob@example.com',
  '+33６１２３４５６７８',
  '+33622000001',
  '+33711000099',
  '+447700900123',
];
const STATUSES = ['ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled', 'answered', 'absent', 'COMPLETED'];
const NUMBERS = ['0', '12', '-5', '1e309', 'NaN', '9999999999999999999', 'abc', '', '2.5', '121'];
const URLS = [
  'https://api.twilio.com/2010-04-01/Recordings/RE1',
  'javascript:alert(1)',
  'http://[::1',
  '',
  'ftp://x',
  `https://${'a'.repeat(3_000)}.example`,
];
const SMS_WORDS = [
  'REOPEN',
  'reopen it broke again',
  'STOP',
  'START',
  'HELP',
  '1',
  '5',
  '0',
  'merci',
  'ok merci',
  'Merci, c’est réparé',
  'ACCEPT',
  'ACCEPT 1001',
  'DONE 1002 fixed',
  'NOTE 99999999999999999999 x',
  'ESC 1001',
  'LIST',
  'DECLINE 1003',
];

function sid(g: Gen, prefix: string): Wire {
  switch (g.int(5)) {
    case 0:
      return utf8(`${prefix}${'0'.repeat(30)}${String(g.int(100)).padStart(2, '0')}`);
    case 1:
      return utf8(g.pick(['', 'x', prefix, `${prefix}\u0000`, `${prefix}${'f'.repeat(2_000)}`]));
    default:
      return text(g);
  }
}

function digits(g: Gen): Wire {
  if (g.chance(0.2)) return text(g);
  let s = '';
  for (let i = g.int(25); i > 0; i -= 1) s += g.pick([...'0123456789*#w']);
  return utf8(s);
}

/** Each parameter a route reads, with values near and far from what Twilio sends. */
const VOICE_PARAMS: Record<string, (g: Gen) => Wire> = {
  CallSid: (g) => sid(g, 'CA'),
  AccountSid: (g) => sid(g, 'AC'),
  From: (g) => (g.chance(0.8) ? utf8(g.pick(PHONES)) : text(g)),
  To: (g) => utf8(g.chance(0.8) ? HOTLINE : g.pick(PHONES)),
  CallStatus: (g) => utf8(g.pick(STATUSES)),
  Direction: (g) => utf8(g.pick(['inbound', 'outbound-dial', ''])),
  Digits: digits,
  SpeechResult: text,
  Confidence: (g) => utf8(g.pick(NUMBERS)),
  StableSpeechResult: text,
  UnstableSpeechResult: text,
  RecordingUrl: (g) => utf8(g.pick(URLS)),
  RecordingSid: (g) => sid(g, 'RE'),
  RecordingDuration: (g) => utf8(g.pick(NUMBERS)),
  RecordingStatus: (g) => utf8(g.pick(['completed', 'absent', 'failed', ''])),
  TranscriptionText: text,
  TranscriptionStatus: (g) => utf8(g.pick(['completed', 'failed', ''])),
  DialCallStatus: (g) => utf8(g.pick(STATUSES)),
  CallDuration: (g) => utf8(g.pick(NUMBERS)),
};

const SMS_PARAMS: Record<string, (g: Gen) => Wire> = {
  MessageSid: (g) => sid(g, 'SM'),
  SmsSid: (g) => sid(g, 'SM'),
  AccountSid: (g) => sid(g, 'AC'),
  From: (g) => (g.chance(0.8) ? utf8(g.pick(PHONES)) : text(g)),
  To: () => utf8(HOTLINE),
  Body: (g) => (g.chance(0.4) ? utf8(g.pick(SMS_WORDS)) : text(g)),
  NumMedia: (g) => utf8(g.pick(['0', '1', '3', '10', '999', '-1', '1e3', 'x'])),
  MediaUrl0: (g) => utf8(g.pick(URLS)),
  MediaContentType0: (g) => utf8(g.pick(['image/jpeg', '', 'text/html; charset=x'])),
  MediaUrl1: (g) => utf8(g.pick(URLS)),
  OptOutType: (g) => utf8(g.pick(['STOP', 'START', 'HELP', 'stop', 'x', ''])),
};

const STATUS_PARAMS: Record<string, (g: Gen) => Wire> = {
  MessageSid: (g) => sid(g, 'SM'),
  SmsSid: (g) => sid(g, 'SM'),
  MessageStatus: (g) => utf8(g.pick(['queued', 'sent', 'delivered', 'undelivered', 'failed', 'read', 'x'])),
  SmsStatus: (g) => utf8(g.pick(['sent', 'delivered', ''])),
  ErrorCode: (g) => utf8(g.pick(['30003', '', '-1', 'abc'])),
};

/** Parameter names no route expects, some of them hostile to naive object handling. */
const ODD_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'Body ', 'from', 'x'.repeat(500), 'Ünïcode'];

function stateQuery(g: Gen): string {
  const parts: string[] = [];
  if (g.chance(0.9)) parts.push(`stage=${g.chance(0.85) ? g.pick(STAGES) : g.pick(['nonsense', '', 'MENU', '%00', '%ZZ'])}`);
  if (g.chance(0.8)) parts.push(`attempts=${g.pick(['0', '1', '2', '3', '-1', '99', '1e3', 'x'])}`);
  if (g.chance(0.8)) parts.push(`lang=${g.pick(['fr', 'en', 'de', '', 'FR'])}`);
  if (g.chance(0.4)) parts.push(`ticket=${g.pick(['1001', '1002', '1003', '9', '123456789012345678901', 'x'])}`);
  if (g.chance(0.05)) parts.push('stage=menu');
  return parts.join('&');
}

interface Fuzzed {
  path: string;
  /** The body as sent: percent-encoded bytes, unreserved characters as they are. */
  body: string;
  /** The parameters as the server's form parser reads them: what Twilio would have signed. */
  params: Record<string, string | string[]>;
  /** Only names Twilio sends: the signing model above is exact for them. */
  plainNames: boolean;
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

function encode(bytes: Wire): string {
  let out = '';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    out += b < 0x80 && UNRESERVED.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * What the form parser (qs, as body-parser calls it) makes of one encoded name or value: brackets
 * first (qs decodes %5B and %5D in the whole body before anything else), then the rest, kept as sent
 * when it is not UTF-8.
 */
function decoded(encoded: string): string {
  const bracketed = encoded.replace(/%5B/gi, '[').replace(/%5D/gi, ']');
  try {
    return decodeURIComponent(bracketed);
  } catch {
    return bracketed;
  }
}

function fuzzRequest(g: Gen): Fuzzed {
  const route = g.int(10);
  let path: string;
  let table: Record<string, (g: Gen) => Wire>;
  if (route < 2) [path, table] = ['/twilio/voice', VOICE_PARAMS];
  else if (route < 5) {
    const query = stateQuery(g);
    const hook = g.pick(['step', 'step', 'recording', 'transcription', 'partial']);
    // No bare "?": the HTTP client drops it, and the signature would then be over another URL.
    [path, table] = [`/twilio/voice/${hook}${query === '' ? '' : `?${query}`}`, VOICE_PARAMS];
  } else if (route < 6) [path, table] = ['/twilio/voice/status', VOICE_PARAMS];
  else if (route < 9) [path, table] = ['/twilio/sms', SMS_PARAMS];
  else [path, table] = ['/twilio/sms/status', STATUS_PARAMS];
  if (g.chance(0.02)) path = '/twilio/voice/nonsense';

  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(table)) {
    if (!g.chance(0.75)) continue;
    pairs.push([encode(utf8(name)), encode(g.chance(0.8) ? value(g) : text(g))]);
    if (g.chance(0.03)) pairs.push([encode(utf8(name)), encode(text(g))]); // a repeated name
  }
  let plainNames = true;
  if (g.chance(0.08)) {
    plainNames = false;
    pairs.push([encode(utf8(g.pick(ODD_NAMES))), encode(text(g))]);
  }
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const key = decoded(name);
    const prior = Object.hasOwn(params, key) ? params[key] : undefined;
    const v = decoded(value);
    params[key] = prior === undefined ? v : [...(Array.isArray(prior) ? prior : [prior]), v];
  }
  return { path, body: pairs.map(([n, v]) => `${n}=${v}`).join('&'), params, plainNames };
}

async function send(desk: TestDesk, f: Fuzzed, signature: string | null, contentType = 'application/x-www-form-urlencoded') {
  const req = request(desk.app).post(f.path).set('Content-Type', contentType);
  if (signature !== null) req.set('X-Twilio-Signature', signature);
  return req.send(f.body);
}

const sign = (f: Fuzzed, token = AUTH_TOKEN, path = f.path) => signRequest(token, PUBLIC_URL + path, f.params);

async function counts(desk: TestDesk) {
  const [row] = await desk.sequelize.query<{
    tickets: number;
    messages: number;
    requesters: number;
    outbox: number;
    events: number;
    attachments: number;
  }>(
    `SELECT (SELECT count(*)::int FROM tickets) AS tickets, (SELECT count(*)::int FROM messages) AS messages,
            (SELECT count(*)::int FROM requesters) AS requesters, (SELECT count(*)::int FROM outbox) AS outbox,
            (SELECT count(*)::int FROM ticket_events) AS events, (SELECT count(*)::int FROM attachments) AS attachments`,
    { type: QueryTypes.SELECT },
  );
  if (!row) throw new Error('no counts');
  const { tickets, messages, requesters, outbox, events, attachments } = row;
  return { tickets, messages, requesters, outbox, events, attachments };
}

let desk: TestDesk;
beforeAll(async () => {
  desk = await twilioDesk();
  // Something for the random numbers to meet: a technician, a known requester and a few tickets.
  const tech = await addTechnician(desk, { name: 'Fuzz Tech', phone: '+33711000099', onCall: true });
  await knownRequester(desk, { name: 'Rita', phone: '+33622000001' });
  for (const subject of ['Printer', 'VPN', 'Mail']) await openWebTicket(desk, { name: 'Rita', phone: '+33622000001' }, subject);
  expect(tech.id).toBeTruthy();
});
afterAll(async () => {
  await desk?.close();
});

describe(`Twilio webhooks under fuzz (seed ${SEED})`, () => {
  it(`answers ${SIGNED} signed requests with random and malformed parameters without a 5xx`, async () => {
    const g = new Gen(SEED);
    let served = 0;
    for (let i = 0; i < SIGNED; i += 1) {
      const f = fuzzRequest(g);
      const odd = g.int(40);
      // Now and then a content type Twilio never sends: the body is then not read as a form.
      const type = odd === 0 ? 'text/plain' : odd === 1 ? 'application/x-www-form-urlencoded; charset=utf-16' : undefined;
      const res = await send(desk, f, sign(f), type);
      const where = `seed ${SEED}, request ${i}: POST ${f.path.slice(0, 120)} (${f.body.length} bytes) → ${res.status} ${res.text.slice(0, 200)}`;
      expect(res.status, where).toBeLessThan(500);
      // Signed exactly as Twilio signs: refused only by what comes before the signature (a body too
      // large or unreadable), never for the signature itself.
      if (f.plainNames && type === undefined && f.body.length < 60_000) expect(res.status, where).not.toBe(403);
      if (res.status === 200) served += 1;
    }
    // Most requests reach a handler: the fuzz is not just bouncing off the parser.
    expect(served).toBeGreaterThan(SIGNED / 2);
  });

  it('answers hostile shapes of body with a 4xx when the signature is missing or wrong', async () => {
    const many = Array.from({ length: 1_500 }, (_, i) => `P${i}=x`).join('&');
    const shapes: { path: string; body: string; type?: string }[] = [
      { path: '/twilio/sms', body: many },
      { path: '/twilio/sms', body: `Body=${'x'.repeat(70_000)}&From=%2B33600000000&MessageSid=SMbig` },
      { path: '/twilio/voice', body: 'CallSid[a][b][c]=1&From[]=2' },
      { path: '/twilio/voice', body: '{"CallSid":"CA1"}', type: 'application/json' },
      { path: '/twilio/sms/status', body: '%%%&&&===', type: 'application/x-www-form-urlencoded' },
      { path: '/twilio/voice/step?stage=menu&stage=check&lang[]=en', body: 'CallSid=CA1&Digits=1' },
    ];
    for (const [i, shape] of shapes.entries()) {
      for (const signature of [null, 'bm90IGEgc2lnbmF0dXJl']) {
        const req = request(desk.app)
          .post(shape.path)
          .set('Content-Type', shape.type ?? 'application/x-www-form-urlencoded');
        if (signature) req.set('X-Twilio-Signature', signature);
        const res = await req.send(shape.body);
        expect(res.status, `shape ${i}: ${res.status} ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `shape ${i}: ${res.status} ${res.text.slice(0, 200)}`).toBeLessThan(500);
      }
    }
  });

  it(`refuses ${FORGED} forged requests with 403, changing nothing`, async () => {
    const g = new Gen(SEED + 1);
    const before = await counts(desk);
    for (let i = 0; i < FORGED; i += 1) {
      let f = fuzzRequest(g);
      // Forged requests are well-formed: the refusal must come from the signature alone.
      while (f.body.length > 60_000 || !f.plainNames || f.path === '/twilio/voice/nonsense') f = fuzzRequest(g);
      let signature: string | null;
      switch (g.int(6)) {
        case 0:
          signature = null;
          break;
        case 1:
          signature = sign(f, 'not-the-auth-token');
          break;
        case 2:
          // Signed for the address the request reached, not PUBLIC_URL: a proxy's Host is not trusted.
          signature = signRequest(AUTH_TOKEN, `http://127.0.0.1${f.path}`, f.params);
          break;
        case 3:
          signature = sign(f, AUTH_TOKEN, f.path === '/twilio/sms' ? '/twilio/sms/status' : '/twilio/sms');
          break;
        case 4: {
          // A genuine signature, then a parameter changed or added on the way.
          signature = sign(f);
          f = { ...f, body: `${f.body}${f.body === '' ? '' : '&'}Body=${encode(utf8(`forged ${i}`))}` };
          break;
        }
        default:
          signature = g.pick(['', 'bm90IGEgc2lnbmF0dXJl', '=', 'x'.repeat(5_000), sign(f).slice(0, -2)]);
      }
      const res = await send(desk, f, signature);
      const where = `seed ${SEED + 1}, forged request ${i}: POST ${f.path.slice(0, 120)} → ${res.status} ${res.text.slice(0, 200)}`;
      expect(res.status, where).toBe(403);
      expect(res.body?.error?.code, where).toBe('BAD_SIGNATURE');
    }
    expect(await counts(desk)).toEqual(before);
  });

  it('still answers afterwards: a real SMS opens its ticket, and the desk is healthy', async () => {
    const before = await countTickets(desk);
    await post(desk, '/twilio/sms', {
      MessageSid: `SM${'9'.repeat(32)}`,
      AccountSid: `AC${'0'.repeat(32)}`,
      From: '+33633999999',
      To: HOTLINE,
      Body: 'After the storm: my screen stays black',
      NumMedia: '0',
    });
    expect(await countTickets(desk)).toBe(before + 1);
    expect((await request(desk.app).get('/health')).status).toBe(200);
  });
});
