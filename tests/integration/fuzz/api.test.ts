import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../../src/app.js';
import { ERROR_CODES } from '../../../src/errors.js';
import type { Route } from '../../../src/api/route.js';
import { bearer, COORDINATOR_TOKEN, createTestDesk, type TestDesk } from '../../support/desk.js';
import { Gen } from '../../support/prng.js';

/**
 * The REST API under random and malformed input (issue #11's fuzz suite, API part): every route of
 * the table, random ids in its path, random query parameters (known and unknown, repeated, badly
 * percent-encoded), random JSON bodies (wrong types, huge strings, NUL, lone surrogates, deep
 * nesting, numbers out of range) and bodies that are not JSON at all, with the coordinator's token,
 * a technician's, a wrong one or none. Never a 5xx; every 4xx a JSON error with a known code;
 * nothing changes for a request without a valid token; the desk answers afterwards.
 *
 * Seeded: a failure names its seed and request, and FUZZ_SEED=<seed> replays it.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_203);
const AUTHENTICATED = 320;
const ANONYMOUS = 100;

let desk: TestDesk;
let routes: Route[];
/** Field names per route, from the OpenAPI document: random values land on real fields most of the time. */
let bodyFields: Map<string, string[]>;
let queryFields: Map<string, string[]>;
let ids: string[];
let technicianToken = '';

const PIECES = [
  'a',
  'Z',
  '9',
  ' ',
  'é',
  '’',
  '👍',
  '中文',
  '\u0000',
  '\uD800',
  '\uDC00',
  '\uDBFF',
  '\r\n',
  '\t',
  '"',
  '\\',
  '%',
  '&',
  '=',
  ',',
  '+',
  '<script>',
  '\u202e',
  '\uFEFF',
  'HD-',
  '@',
  '.',
];
const PLAUSIBLE: readonly unknown[] = [
  'new',
  'assigned',
  'in_progress',
  'pending',
  'resolved',
  'closed',
  'open',
  'P1',
  'P4',
  'high',
  'medium',
  'low',
  'network',
  'printing',
  'email',
  'voice',
  'sms',
  'web',
  'none',
  'fr',
  'en',
  'always',
  'mon-fri 08:00-18:00',
  '+33612345678',
  '0612345678',
  'a@b.co',
  'not an email',
  '2026-01-01',
  '2026-01-01T00:00:00Z',
  '2099-12-31T23:59:59+14:00',
  '00000000-0000-4000-8000-000000000000',
  1,
  2,
  3,
  4,
  0,
  -1,
  5,
  200,
  201,
  true,
  false,
  null,
  [],
  {},
  ['network'],
  ['printing', 'accounts'],
];

function text(g: Gen): string {
  if (g.chance(0.06)) return g.pick(['x', ' ', '\u0000', 'ab\uD800']).repeat(g.pick([1_000, 60_000, 250_000]));
  let s = '';
  for (let i = g.int(30); i > 0; i--) s += g.pick(PIECES);
  return s;
}

function number(g: Gen): number {
  return g.pick([0, -0, 1, -1, 1.5, 3, 1e308, -1e308, 1e-300, 2 ** 53 + 1, 2 ** 31, -(2 ** 31) - 1, 99_999_999_999_999, 42]);
}

function json(g: Gen, depth = 0): unknown {
  switch (g.int(depth > 3 ? 4 : 7)) {
    case 0:
      return null;
    case 1:
      return g.chance(0.5);
    case 2:
      return number(g);
    case 3:
      return text(g);
    case 4:
      return Array.from({ length: g.int(5) }, () => json(g, depth + 1));
    case 5:
      return Object.fromEntries(
        Array.from({ length: g.int(5) }, () => [g.chance(0.3) ? '__proto__' : text(g).slice(0, 40), json(g, depth + 1)]),
      );
    default:
      return g.pick(PLAUSIBLE);
  }
}

function value(g: Gen): unknown {
  return g.chance(0.5) ? g.pick(PLAUSIBLE) : json(g);
}

function deep(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

interface Body {
  contentType?: string;
  raw: string;
}

function body(g: Gen, fields: readonly string[]): Body | undefined {
  const roll = g.int(100);
  if (roll < 8) return undefined;
  if (roll < 10) return { contentType: 'application/json', raw: JSON.stringify({ subject: 'x'.repeat(1_100_000) }) };
  if (roll < 20) {
    return g.pick<Body>([
      { contentType: 'application/json', raw: '{"subject": ' },
      { contentType: 'application/json', raw: 'null' },
      { contentType: 'application/json', raw: '[]' },
      { contentType: 'application/json', raw: '"just a string"' },
      { contentType: 'application/json', raw: '1e400' },
      { contentType: 'application/json', raw: '\uFEFF{}' },
      { contentType: 'application/json', raw: `{"a": ${deep(3_000)}}` },
      { contentType: 'application/json', raw: `{"${'k'.repeat(5_000)}": 1}` },
      { contentType: 'application/json; charset=latin1', raw: '{}' },
      { contentType: 'application/json; charset=utf-16', raw: '{}' },
      { contentType: 'application/x-www-form-urlencoded', raw: 'subject=Printer&description=jams' },
      { contentType: 'text/plain', raw: 'hello' },
      { contentType: 'multipart/form-data; boundary=x', raw: '--x\r\n\r\n--x--' },
      { raw: '{"subject": "no content type"}' },
    ]);
  }
  const out: Record<string, unknown> = {};
  for (const field of fields) if (g.chance(0.6)) out[field] = value(g);
  if (g.chance(0.2)) out[text(g).slice(0, 20) || 'extra'] = value(g);
  if (fields.includes('requester') && g.chance(0.5)) {
    out.requester = {
      name: text(g),
      email: g.pick(['a@b.co', text(g), null, 3]),
      phone: g.pick(['+33612345678', '06 12', text(g), '+1 (555) 010-9999']),
    };
  }
  return { contentType: 'application/json', raw: JSON.stringify(out) };
}

function pathId(g: Gen): string {
  if (g.chance(0.5)) return encodeURIComponent(g.pick(ids));
  return g.pick([
    'not-a-uuid',
    '0',
    '-1',
    '99999999999999999999',
    '1e400',
    'HD-',
    'HD-0',
    '%00',
    '%ZZ',
    '%E0%A4',
    '%ED%A0%80',
    '%FF',
    'x'.repeat(5_000),
    '..',
    encodeURIComponent('../../etc'),
    'NETWORK',
    encodeURIComponent('é'),
    '%20',
    'priority-matrix',
    encodeURIComponent(text(g).replace(/[\uD800-\uDFFF]/g, '')) || 'empty',
  ]);
}

function query(g: Gen, fields: readonly string[]): string {
  const parts: string[] = [];
  for (let i = g.int(5); i > 0; i--) {
    const name = g.chance(0.8) && fields.length > 0 ? g.pick(fields) : g.pick(['colour', '__proto__', 'status[]', 'q[a]', '%00', 'limit']);
    const raw = g.pick([
      () => encodeURIComponent(String(g.pick(PLAUSIBLE))),
      () =>
        encodeURIComponent(
          text(g)
            .replace(/[\uD800-\uDFFF]/g, '')
            .slice(0, 300),
        ),
      () =>
        g.pick([
          '%ZZ',
          '%00',
          '%ED%A0%80',
          '%FF%FE',
          'new,assigned',
          'open,bogus',
          ',,,',
          '-1',
          '1e400',
          '99999999999999999999',
          'x'.repeat(3_000),
        ]),
    ])();
    parts.push(`${name}=${raw}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

type Who = 'coordinator' | 'technician' | 'wrong' | 'none';

interface Fuzzed {
  method: Route['method'];
  url: string;
  body: Body | undefined;
  who: Who;
}

function fuzzed(g: Gen, who: Who): Fuzzed {
  const r = g.chance(0.05)
    ? { method: g.pick(['get', 'post'] as const), path: g.pick(['/nothing', '/tickets/1/nothing', '/']) }
    : g.pick(routes);
  const key = `${r.method} ${r.path}`;
  const path = r.path.replace(/:(\w+)/g, () => pathId(g));
  return { method: r.method, url: `/api${path}${query(g, queryFields.get(key) ?? [])}`, body: body(g, bodyFields.get(key) ?? []), who };
}

async function send(f: Fuzzed): Promise<request.Response> {
  let req = request(desk.app)[f.method](f.url);
  if (f.who === 'coordinator') req = req.set(bearer(COORDINATOR_TOKEN));
  else if (f.who === 'technician') req = req.set(bearer(technicianToken));
  else if (f.who === 'wrong') req = req.set('Authorization', 'Bearer not-a-real-token');
  if (f.body) {
    if (f.body.contentType) req = req.set('Content-Type', f.body.contentType);
    req = req.send(f.body.raw);
  }
  return req;
}

function describeRequest(seed: number, i: number, f: Fuzzed, res: request.Response): string {
  return `seed ${seed}, request ${i} (${f.who}): ${f.method.toUpperCase()} ${f.url.slice(0, 200)} body ${f.body?.raw.slice(0, 200) ?? '-'} → ${res.status} ${res.text.slice(0, 300)}`;
}

/**
 * Node's HTTP parser answers a request line over its header limit (16 KB) with a bare 431 before
 * any of our code runs: that is the server's own clear refusal, and the only non-JSON one allowed.
 */
const HEADERS_TOO_LARGE = 431;

function expectJsonError(res: request.Response, where: string): void {
  if (res.status === HEADERS_TOO_LARGE) return;
  expect(String(res.headers['content-type']), where).toMatch(/application\/json/);
  const error = (res.body as { error?: { code?: unknown; message?: unknown } }).error;
  expect(typeof error?.code === 'string' && Object.hasOwn(ERROR_CODES, error.code), where).toBe(true);
  expect(typeof error?.message, where).toBe('string');
}

/** What a request could have changed: every table the API writes, fingerprinted. */
async function fingerprint(): Promise<string> {
  const tables = [
    'tickets',
    'ticket_events',
    'ticket_watchers',
    'requesters',
    'technicians',
    'api_tokens',
    'outages',
    'categories',
    'settings',
    'outbox',
    'messages',
  ];
  const rows = await desk.sequelize.query<{ t: string; f: string }>(
    tables
      .map((t) => `SELECT '${t}' AS t, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS f FROM ${t} x`)
      .join(' UNION ALL '),
    { type: QueryTypes.SELECT },
  );
  return rows.map((r) => `${r.t}:${r.f}`).join(' ');
}

beforeAll(async () => {
  desk = await createTestDesk();
  routes = apiRoutes(desk.services);
  const doc = (await request(desk.app).get('/api/openapi.json')).body as {
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: { name: string; in: string }[];
          requestBody?: { content: { 'application/json': { schema: { properties?: Record<string, unknown> } } } };
        }
      >
    >;
  };
  bodyFields = new Map();
  queryFields = new Map();
  for (const r of routes) {
    const op = doc.paths[`/api${r.path.replace(/:(\w+)/g, '{$1}')}`]?.[r.method];
    const key = `${r.method} ${r.path}`;
    bodyFields.set(key, Object.keys(op?.requestBody?.content['application/json'].schema.properties ?? {}));
    queryFields.set(
      key,
      (op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
    );
  }
  const coordinator = bearer(COORDINATOR_TOKEN);
  const tech = await request(desk.app)
    .post('/api/technicians')
    .set(coordinator)
    .send({ name: 'Fuzz', phone: '+33600000001', tier: 1, skills: ['printing'] });
  technicianToken = tech.body.token as string;
  const ticket = await request(desk.app)
    .post('/api/tickets')
    .set(coordinator)
    .send({ subject: 'Printer jam', requester: { email: 'fuzz@example.com' } });
  const outage = await request(desk.app).post('/api/outages').set(coordinator).send({ title: 'VPN', message: 'VPN down' });
  ids = [
    String(ticket.body.number),
    ticket.body.reference as string,
    ticket.body.id as string,
    tech.body.id as string,
    outage.body.id as string,
    'network',
    'calendar',
    '1',
  ];
});

afterAll(async () => {
  await desk?.close();
});

describe(`the REST API under fuzz (seed ${SEED})`, () => {
  it(`answers ${AUTHENTICATED} random requests with a token (or a wrong one) without a 5xx, every error JSON with a code`, async () => {
    const g = new Gen(SEED);
    const statuses = new Map<number, number>();
    for (let i = 0; i < AUTHENTICATED; i++) {
      const f = fuzzed(g, g.pick<Who>(['coordinator', 'coordinator', 'coordinator', 'technician', 'wrong']));
      const res = await send(f);
      const where = describeRequest(SEED, i, f, res);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, where).toBeLessThan(500);
      if (res.status >= 400) expectJsonError(res, where);
      if (f.who === 'wrong' && res.status !== HEADERS_TOO_LARGE) expect(res.status, where).toBe(401);
    }
    // The fuzz reaches past validation: some requests succeed, some are refused.
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
  }, 60_000);

  it(`changes nothing for ${ANONYMOUS} random requests without a valid token: each a JSON 401`, async () => {
    const g = new Gen(SEED + 1);
    const before = await fingerprint();
    for (let i = 0; i < ANONYMOUS; i++) {
      const f = fuzzed(g, g.pick<Who>(['none', 'wrong']));
      const res = await send(f);
      const where = describeRequest(SEED + 1, i, f, res);
      if (res.status !== HEADERS_TOO_LARGE) expect(res.status, where).toBe(401);
      expectJsonError(res, where);
    }
    expect(await fingerprint()).toBe(before);
  }, 60_000);

  it('is still ready and serving afterwards', async () => {
    expect((await request(desk.app).get('/ready')).status).toBe(200);
    const res = await request(desk.app)
      .post('/api/tickets')
      .set(bearer(COORDINATOR_TOKEN))
      .send({ subject: 'After the fuzz', requester: { email: 'after@example.com' } });
    expect(res.status).toBe(201);
  });
});
