import { chmod, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../src/runtime/ports.js';
import { createMailbox, IMAP_PASSWORD, startDovecot } from '../tests/support/dovecot.js';
import { startSmtpReceiver } from '../tests/support/smtp-receiver.js';
import { startTwilioStandIn } from '../tests/support/twilio-standin.js';
import { buildIfStale, startGatewayProcess, type LagStats, type ProbeAnswer } from './support/gateway-process.js';
import { withScratch } from './support/scratch.js';
import { Traffic, type Rates } from './support/soak-traffic.js';
import { percentile, type BenchResult } from './types.js';

/**
 * The soak: a whole gateway as `npm start` runs it (a child process on embedded Postgres and Redis
 * in a temp data dir), Twilio's REST API as the loopback stand-in, SMTP to a loopback receiver, IMAP
 * from a Dovecot child, under a steady mix of calls, SMS, email, API calls and the technicians'
 * answers for SOAK_MINUTES (30 by default). It reports the gateway's RSS at the start and the end,
 * its event-loop lag beside the same gateway idle, what was handled, and every error: a 5xx or an
 * unexpected 4xx, an unexpected TwiML answer, a notification given up, a quarantined email, an
 * error line in the gateway's log, anything that did not settle at the end.
 *
 * Run only with `npm run bench --soak` (or `npm run bench -- --soak [--minutes N]`).
 */
const HOTLINE = '+33100000000';
const API_TOKEN = 'soak-coordinator-token-0123456789';
const IMAP_USER = 'helpdesk';
const SKILLS = ['network', 'printing', 'accounts', 'email', 'hardware', 'software', 'security', 'access'];
const TECHNICIANS: { tier: 1 | 2 | 3; count: number }[] = [
  { tier: 1, count: 8 },
  { tier: 2, count: 2 },
  { tier: 3, count: 1 },
];
/**
 * Flows started per minute. The desk sends SMS at most one a second from its number (Twilio's pace
 * for a long code), and a voice or SMS ticket costs about three (acknowledgement, offer, resolution),
 * an email or API one about one (the offer): this mix asks for about 35 a minute, so that the SMS
 * queue keeps up and a technician's offer waits seconds, not minutes.
 */
const RATES: Rates = { calls: 5, requesterSms: 4, emails: 8, webTickets: 6, apiReads: 60, technicianList: 4 };
const RSS_SAMPLE_MS = 10_000;
const LAG_WINDOW_MS = 60_000;
const SETTLE_WITHIN_MS = 180_000;
const TARGET_RSS_DRIFT = 0.1;

interface RssSample {
  at: number;
  phase: string;
  rss: number;
}

export async function run(): Promise<BenchResult> {
  const minutes = Number(process.env.SOAK_MINUTES ?? 30);
  if (!(minutes > 0)) throw new Error(`SOAK_MINUTES: expected a number of minutes, got ${process.env.SOAK_MINUTES}`);
  const long = minutes >= 10;
  const soakMs = minutes * 60_000;
  const warmupMs = long ? 180_000 : 30_000;
  const idleMs = long ? 60_000 : 20_000;
  // Start and end RSS: the mean over a window at each end of the soak, not one sample (GC moves RSS).
  const edgeMs = Math.min(60_000, soakMs / 5);

  return withScratch('soak', async ({ dir, stops }) => {
    const buildNote = await buildIfStale();
    const standIn = await startTwilioStandIn();
    stops.push(() => standIn.stop());
    const smtp = await startSmtpReceiver();
    stops.push(() => smtp.stop());
    const dovecot = await startDovecot(path.join(dir, 'imap'), { users: [IMAP_USER] });
    stops.push(() => dovecot.stop());
    await createMailbox(dovecot.mailRoot, IMAP_USER);

    const dataDir = path.join(dir, 'data');
    await mkdir(dataDir);
    await chmod(dataDir, 0o755);
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const startedAt = Date.now();
    const gateway = await startGatewayProcess({
      port,
      probeFile: path.join(dir, 'probe.json'),
      env: {
        HELPDESK_DATA_DIR: dataDir,
        PUBLIC_URL: publicUrl,
        HELPDESK_API_TOKEN: API_TOKEN,
        TWILIO_ACCOUNT_SID: standIn.accountSid,
        TWILIO_AUTH_TOKEN: standIn.authToken,
        TWILIO_PHONE_NUMBER: HOTLINE,
        TWILIO_API_URL: standIn.url,
        IMAP_URL: `imap://${IMAP_USER}:${IMAP_PASSWORD}@${dovecot.host}:${dovecot.port}/INBOX`,
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Helpdesk <helpdesk@bench.example>',
        HELPDESK_BUSINESS_HOURS: 'always',
        LOG_LEVEL: 'info',
      },
    });
    stops.push(async () => void (await gateway.stop()));
    const readyMs = Date.now() - startedAt;
    const say = (line: string) => process.stdout.write(`  soak: ${line}\n`);
    say(`gateway pid ${gateway.pid} ready in ${(readyMs / 1000).toFixed(1)} s, running ${buildNote}`);

    const technicianPhones = await seedTechnicians(gateway.url);
    await waitForMailboxIdle(gateway.url);

    const rss: RssSample[] = [];
    let phase = 'idle';
    const sampler = setInterval(() => {
      gateway.rssBytes().then(
        (bytes) => rss.push({ at: Date.now(), phase, rss: bytes }),
        () => undefined,
      );
    }, RSS_SAMPLE_MS);
    stops.push(async () => clearInterval(sampler));

    const closed = new Map<string, LagStats>();
    const read = async (next: string, options?: { gc?: boolean }): Promise<ProbeAnswer> => {
      const answer = await gateway.probe(next, options);
      if (answer.closed?.phase) closed.set(answer.closed.phase, answer.closed);
      phase = next;
      return answer;
    };

    // Idle baseline: the same gateway, ready, its mailbox in IDLE, nobody calling.
    const runStartedAt = Date.now();
    await read('idle');
    await sleep(idleMs);

    const traffic = new Traffic(
      {
        url: gateway.url,
        publicUrl,
        apiToken: API_TOKEN,
        twilioAuthToken: standIn.authToken,
        accountSid: standIn.accountSid,
        hotline: HOTLINE,
        standIn,
        mailRoot: dovecot.mailRoot,
        imapUser: IMAP_USER,
        technicianPhones,
      },
      RATES,
    );
    stops.push(async () => traffic.close());
    traffic.start(Math.ceil(((warmupMs + soakMs) / 60_000) * RATES.emails));
    await read('warmup');
    say(`idle baseline done, warming up for ${warmupMs / 1000} s`);
    await sleep(warmupMs);
    const gcStart = await read('warmup', { gc: true });
    await read('soak');
    const soakStartedAt = Date.now();
    say(`soak started for ${minutes} min`);

    const windows: number[] = [];
    let reported = 0;
    while (Date.now() - soakStartedAt < soakMs) {
      await sleep(Math.min(LAG_WINDOW_MS, soakMs - (Date.now() - soakStartedAt)));
      if (Date.now() - soakStartedAt >= soakMs) break;
      const w = await read('soak');
      windows.push(w.window.p99);
      const last = rss.at(-1);
      const failures = [...traffic.errors.map((e) => `${e.kind}: ${e.detail}`), ...gateway.errors.map((e) => e.raw)];
      for (const failure of failures.slice(reported, reported + 5)) say(`error: ${failure.slice(0, 300)}`);
      reported = failures.length;
      say(
        `${((Date.now() - soakStartedAt) / 60_000).toFixed(1)}/${minutes} min: rss ${last ? mb(last.rss) : '?'}, lag p99 ${w.window.p99.toFixed(1)} ms (last minute), ${traffic.total()} requests, ${traffic.errors.length + gateway.errors.length} errors`,
      );
    }
    const soakEndedAt = Date.now();
    const gcEnd = await read('drain', { gc: true });
    windows.push(gcEnd.window.p99);

    traffic.stopStarting();
    await traffic.settle();
    const settled = await settle(gateway.url, traffic, () => standIn.messages.length + smtp.messages.length);
    const drainEndedAt = Date.now();
    await read('done');
    const final = await finalState(gateway.url);
    traffic.close();
    const stopped = await gateway.stop();
    clearInterval(sampler);

    // --- figures ------------------------------------------------------------------------------
    const soakRss = rss.filter((s) => s.phase === 'soak');
    const mean = (xs: RssSample[]) => xs.reduce((a, s) => a + s.rss, 0) / Math.max(1, xs.length);
    const rssStart = mean(soakRss.filter((s) => s.at < soakStartedAt + edgeMs));
    const rssEnd = mean(soakRss.filter((s) => s.at > soakEndedAt - edgeMs));
    const rssRatio = rssEnd / rssStart;
    const slopePerHour = slope(soakRss) * 3_600_000;
    const idleLag = closed.get('idle');
    const soakLag = closed.get('soak');
    const lagRow = (name: string, l: LagStats | undefined) =>
      l
        ? `| ${name} | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.p999)} | ${ms(l.max)} | ${l.count.toLocaleString('en')} |`
        : `| ${name} | – | – | – | – | – |`;

    const inRun = (at: number) => at >= runStartedAt && at <= drainEndedAt;
    const logErrors = gateway.errors.filter((e) => inRun(e.at));
    const otherLogErrors = gateway.errors.filter((e) => !inRun(e.at));
    const problems: string[] = [
      ...traffic.errors.map((e) => `${e.kind}: ${e.detail}`),
      ...logErrors.map((e) => `gateway log: ${e.msg} ${e.raw.slice(0, 300)}`),
      ...(settled ? [] : ['the desk did not settle after the load stopped (see the counts below)']),
      ...final.failedNotifications.map((f) => `notification given up: ${f}`),
      ...(final.quarantined > 0 ? [`${final.quarantined} emails quarantined`] : []),
      ...(final.http5xx > 0 ? [`${final.http5xx} answers 5xx in the gateway's own metrics`] : []),
    ];
    const emailOutcomes = [...final.mailOutcomes].map(([k, v]) => `${v} ${k}`).join(', ');
    const sent = [...traffic.sent].map(([k, v]) => `${v.toLocaleString('en')} ${k}`).join(', ');
    const taken = [...traffic.webTaken].sort((a, b) => a - b);
    const minutesRun = (soakEndedAt - soakStartedAt) / 60_000;
    const warnings = [...gateway.warnings].map(([msg, n]) => `${n} × "${msg}"`).join(', ');

    const lines = [
      `A whole gateway started as \`npm start\` runs it (\`node bin/helpdesk.js start\`, a child process running ${buildNote}, on its embedded Postgres and Redis in a temp data dir), Twilio's REST API as the loopback stand-in, SMTP to a loopback smtp-server, IMAP from a Dovecot child, under a steady mix for ${minutesRun.toFixed(1)} min after ${warmupMs / 60_000} min of warm-up. Per minute: ${RATES.calls} calls through the voice menu (3 in 4 describe a problem, 1 in 4 check a ticket's status; each with its status callback), ${RATES.requesterSms} requester SMS, ${RATES.emails} emails delivered into the maildir (the email bench's varied corpus), ${RATES.webTickets} API tickets (create, read, note, resolve once a technician took it), ${RATES.apiReads} API reads (lists, search, stats, technicians, quarantine), ${RATES.technicianList} technician LIST; ${TECHNICIANS.reduce((a, t) => a + t.count, 0)} technicians answer every offer they get by SMS (ACCEPT, then NOTE for 1 in 3, then DONE), and every SMS the desk sends gets its delivery callback. Event-loop lag is measured inside the gateway (a probe loaded with \`--import\`: how late a 10 ms timer fires); RSS is the gateway process's own VmRSS (Postgres and Redis are separate processes).`,
      '',
      `Handled: ${traffic.total().toLocaleString('en')} requests (${sent}); tickets by channel ${fmtCounts(final.byChannel)}; ${traffic.technician.offers} offers by SMS, ${traffic.technician.accepted} accepted, ${traffic.technician.resolved} resolved by DONE and ${traffic.webTicketsResolved} through the API; the desk sent ${standIn.messages.length.toLocaleString('en')} SMS and ${smtp.messages.length.toLocaleString('en')} emails; emails read: ${emailOutcomes || 'none'}. At the end, tickets by status ${fmtCounts(final.byStatus)}${settled ? ', all settled' : ', NOT settled'} ${((drainEndedAt - soakEndedAt) / 1000).toFixed(0)} s after the load stopped.`,
      '',
      `API tickets, from the create call to the technician's ACCEPT answered (routing, the offer SMS through the desk's SMS queue, the technician answering 1 to 2 s after it arrives): p50 ${seconds(percentile(taken, 50))}, p99 ${seconds(percentile(taken, 99))}, max ${seconds(taken.at(-1) ?? Number.NaN)} over ${taken.length}.`,
      '',
      '| gateway RSS | soak start (mean of first ' +
        (edgeMs / 1000).toFixed(0) +
        ' s) | soak end (mean of last ' +
        (edgeMs / 1000).toFixed(0) +
        ' s) | end / start | trend over the soak | heap after a full GC, start → end |',
      '| --- | --- | --- | --- | --- | --- |',
      `| | ${mb(rssStart)} | ${mb(rssEnd)} | ${rssRatio.toFixed(3)} | ${slopePerHour >= 0 ? '+' : ''}${mb(slopePerHour)}/h | ${mb(gcStart.heapAfterGc ?? Number.NaN)} → ${mb(gcEnd.heapAfterGc ?? Number.NaN)} |`,
      '',
      `RSS over the whole run (every ${RSS_SAMPLE_MS / 1000} s): ${rssSeries(rss)}.`,
      '',
      '| event-loop lag | p50 | p99 | p99.9 | max | samples |',
      '| --- | --- | --- | --- | --- | --- |',
      lagRow('idle gateway (baseline)', idleLag),
      lagRow('warm-up', closed.get('warmup')),
      lagRow('soak', soakLag),
      lagRow('drain', closed.get('drain')),
      '',
      `Lag p99 minute by minute through the soak: ${windows.map((w) => w.toFixed(1)).join(', ')} ms. Machine load (1-min average) at the end: ${(os.loadavg()[0] ?? Number.NaN).toFixed(1)} on ${os.cpus().length} cores, shared with whatever else runs.`,
      '',
      problems.length === 0
        ? `Errors: none (no 5xx, no unexpected 4xx or TwiML answer, no notification given up, no quarantined email, no error line in the gateway's log${otherLogErrors.length > 0 ? ' during the run' : ''}).`
        : `Errors: ${problems.length}. ${summarise(problems)}`,
      ...(otherLogErrors.length > 0
        ? [
            '',
            `Error lines outside the measured run (start or stop): ${otherLogErrors.length}; first: ${otherLogErrors[0]!.raw.slice(0, 300)}`,
          ]
        : []),
      ...(warnings ? ['', `Warnings in the gateway's log (not errors): ${warnings}.`] : []),
      '',
      `Stopped with SIGTERM: exit ${stopped.code ?? stopped.signal} after ${(stopped.ms / 1000).toFixed(1)} s.`,
      '',
      `Targets: RSS flat within ${TARGET_RSS_DRIFT * 100}% (end / start ${rssRatio.toFixed(3)}): ${Math.abs(rssRatio - 1) <= TARGET_RSS_DRIFT ? 'met' : 'NOT met'}; zero errors: ${problems.length === 0 ? 'met' : 'NOT met'}; event-loop lag p99 ${soakLag ? ms(soakLag.p99) : '?'} under load beside ${idleLag ? ms(idleLag.p99) : '?'} idle.`,
    ];
    return { name: 'Soak', lines };
  });
}

async function api<T>(url: string, pathname: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url + pathname, {
    ...init,
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json', ...init.headers },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${pathname} → ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Technicians with every skill, English-speaking (their replies are checked word for word). */
async function seedTechnicians(url: string): Promise<string[]> {
  const phones: string[] = [];
  for (const { tier, count } of TECHNICIANS) {
    for (let i = 0; i < count; i += 1) {
      const phone = `+337100${tier}${String(i).padStart(4, '0')}`;
      await api(url, '/api/technicians', {
        method: 'POST',
        body: JSON.stringify({ name: `Tech ${tier}-${i}`, phone, tier, skills: SKILLS, maxLoad: 10, language: 'en' }),
      });
      phones.push(phone);
    }
  }
  return phones;
}

async function metrics(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${API_TOKEN}` }, signal: AbortSignal.timeout(30_000) });
  return res.text();
}

/** Sums the samples of one metric whose labels match. */
function sumOf(text: string, name: string, labels: (l: string) => boolean = () => true): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (m?.[1] === name && labels(m[2] ?? '')) total += Number(m[3]);
  }
  return total;
}

async function waitForMailboxIdle(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (sumOf(await metrics(url), 'helpdesk_mailbox_state', (l) => l.includes('state="idle"')) >= 1) return;
    await sleep(500);
  }
  throw new Error('the mailbox reader did not reach IDLE within 60 s');
}

interface Stats {
  byChannel: Record<string, number>;
  byStatus: Record<string, number>;
}

const OPEN = ['new', 'assigned', 'in_progress', 'pending'];

/**
 * After the load: every email read, no ticket left open, and nothing more sent for 5 s. False when
 * that does not come within SETTLE_WITHIN_MS.
 */
async function settle(url: string, traffic: Traffic, outbound: () => number): Promise<boolean> {
  const deadline = Date.now() + SETTLE_WITHIN_MS;
  let lastOutbound = -1;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const text = await metrics(url);
    const read = sumOf(text, 'helpdesk_mailbox_messages_total');
    const stats = await api<Stats>(url, '/api/stats');
    const open = OPEN.reduce((a, s) => a + (stats.byStatus[s] ?? 0), 0);
    const now = outbound();
    if (now !== lastOutbound) {
      lastOutbound = now;
      quietSince = Date.now();
    }
    if (read >= traffic.emailsDelivered && open === 0 && Date.now() - quietSince >= 5_000) {
      await traffic.settle();
      return true;
    }
    await sleep(1_000);
  }
  await traffic.settle();
  return false;
}

async function finalState(url: string) {
  const stats = await api<Stats>(url, '/api/stats');
  const failed = await api<{
    items: { id: number; kind?: string; channel?: string; reason?: string; lastError?: string }[];
    total: number;
  }>(url, '/api/notifications/failed?limit=20');
  const quarantine = await api<{ items: unknown[]; total?: number }>(url, '/api/quarantine');
  const text = await metrics(url);
  const mailOutcomes = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^helpdesk_mailbox_messages_total\{[^}]*outcome="([^"]+)"[^}]*\} ([0-9.e+-]+)$/.exec(line);
    if (m) mailOutcomes.set(m[1]!, (mailOutcomes.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return {
    byChannel: stats.byChannel,
    byStatus: stats.byStatus,
    failedNotifications: failed.items.map((f) => JSON.stringify(f).slice(0, 300)),
    quarantined: quarantine.total ?? quarantine.items.length,
    http5xx: sumOf(text, 'helpdesk_http_requests_total', (l) => /status="5\d\d"/.test(l)),
    mailOutcomes,
  };
}

/** Least-squares slope of RSS over time, bytes per ms. */
function slope(samples: RssSample[]): number {
  if (samples.length < 2) return 0;
  const t0 = samples[0]!.at;
  const xs = samples.map((s) => s.at - t0);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = samples.reduce((a, s) => a + s.rss, 0) / samples.length;
  let num = 0;
  let den = 0;
  samples.forEach((s, i) => {
    num += (xs[i]! - mx) * (s.rss - my);
    den += (xs[i]! - mx) ** 2;
  });
  return den === 0 ? 0 : num / den;
}

/** One figure per phase change and about twelve in between. */
function rssSeries(samples: RssSample[]): string {
  const step = Math.max(1, Math.floor(samples.length / 12));
  const picked = samples.filter((s, i) => i % step === 0 || i === samples.length - 1 || samples[i - 1]?.phase !== s.phase);
  const t0 = samples[0]?.at ?? 0;
  return picked.map((s) => `${((s.at - t0) / 60_000).toFixed(1)} min ${s.phase} ${mb(s.rss)}`).join(', ');
}

function summarise(problems: string[]): string {
  const byKind = new Map<string, { n: number; first: string }>();
  for (const p of problems) {
    const kind = p.split(':')[0] ?? p;
    const entry = byKind.get(kind) ?? { n: 0, first: p };
    entry.n += 1;
    byKind.set(kind, entry);
  }
  return [...byKind].map(([kind, { n, first }]) => `${n} × ${kind} (first: ${first.slice(0, 300)})`).join('; ');
}

const seconds = (v: number) => `${(v / 1000).toFixed(1)} s`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
const fmtCounts = (o: Record<string, number>) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';
