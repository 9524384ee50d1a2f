import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { signRequest } from '../../src/intake/twilio/signature.js';
import { TECHNICIAN_REPLIES } from '../../src/intake/twilio/technician-replies.js';
import { deliver } from '../../tests/support/dovecot.js';
import type { TwilioStandIn } from '../../tests/support/twilio-standin.js';
import { find, parseTwiml, type TwimlNode } from '../../tests/unit/twilio/twiml.js';
import { mailCorpus } from './mail-corpus.js';

/**
 * The people around a desk, at a steady pace, over HTTP and the maildir only: callers going
 * through the voice menu, requesters texting, mail arriving, a coordinator's script on the API, and
 * technicians who answer each offer they get by SMS (ACCEPT, sometimes NOTE, then DONE), with
 * Twilio's delivery callbacks for every SMS the desk sends. Every answer is checked; anything
 * unexpected is an error of the run, with what was seen.
 */

export interface SoakDesk {
  /** `http://127.0.0.1:<port>`: where requests go. */
  url: string;
  /** PUBLIC_URL: what webhooks are signed against. */
  publicUrl: string;
  apiToken: string;
  twilioAuthToken: string;
  accountSid: string;
  hotline: string;
  standIn: TwilioStandIn;
  mailRoot: string;
  imapUser: string;
  technicianPhones: string[];
}

/** Flows started per minute, for each kind. */
export interface Rates {
  calls: number;
  requesterSms: number;
  emails: number;
  webTickets: number;
  apiReads: number;
  technicianList: number;
}

export interface TrafficError {
  at: number;
  kind: string;
  detail: string;
}

const EN = TECHNICIAN_REPLIES.en;
const TECH_LIST = /^(Your open tickets|You have no open tickets)/;
/** A flow that has not finished after this long is an error (a hung request, a lost offer). */
const FLOW_TIMEOUT_MS = 120_000;
/** Flows of one kind in flight at once; past it the desk is falling behind and that is an error. */
const MAX_IN_FLIGHT = 50;

const PROBLEMS = [
  ['Imprimante du 2e étage en panne', "L'imprimante affiche bourrage papier alors que le bac est vide"],
  ['VPN refuses my password', 'Since this morning the VPN refuses my password, I changed it yesterday'],
  ['Écran noir au démarrage', 'Mon poste reste sur un écran noir depuis la mise à jour'],
  ['Cannot open the shared drive', 'The S: drive says access denied since Monday'],
  ['Outlook très lent', 'Outlook met une minute à ouvrir chaque message'],
  ['New starter needs an account', 'Marie Dupont starts on Monday in accounting and needs an account'],
  ['Wifi drops in meeting room B', 'The wifi disconnects every few minutes in room B'],
  ['Licence Excel expirée', 'Excel dit que la licence a expiré et passe en lecture seule'],
] as const;

const pick = <T>(items: readonly T[], i: number): T => items[i % items.length]!;
const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

export class Traffic {
  /** Requests sent, by kind (each webhook, API call and delivered email counts once). */
  readonly sent = new Map<string, number>();
  readonly errors: TrafficError[] = [];
  /** Offers received, accepted and tickets resolved by the technicians' SMS. */
  readonly technician = { offers: 0, accepted: 0, noted: 0, resolved: 0 };
  emailsDelivered = 0;
  webTicketsResolved = 0;
  /** For API tickets: ms from the create call to the technician's ACCEPT answered (offer SMS and all). */
  readonly webTaken: number[] = [];
  /** API tickets by number, with when their create call was sent. */
  private readonly apiTickets = new Map<number, number>();
  private readonly knownNumbers: number[] = [];
  private readonly handling = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly perKind = new Map<string, number>();
  private readonly timers: NodeJS.Timeout[] = [];
  private seenMessages = 0;
  private stopped = false;
  private mail: string[] = [];
  private mailIndex = 0;

  constructor(
    private readonly desk: SoakDesk,
    private readonly rates: Rates,
  ) {}

  /** Starts every kind at its pace; `expectedEmails` sizes the mail corpus made up front. */
  start(expectedEmails: number): void {
    this.mail = mailCorpus(expectedEmails + 50);
    this.pace('call', this.rates.calls, (i) => this.call(i));
    this.pace('requester-sms', this.rates.requesterSms, (i) => this.requesterSms(i));
    this.pace('email', this.rates.emails, () => this.email());
    this.pace('web-ticket', this.rates.webTickets, (i) => this.webTicket(i));
    this.pace('api-read', this.rates.apiReads, (i) => this.apiRead(i));
    this.pace('technician-list', this.rates.technicianList, (i) => this.technicianList(i));
    this.watchOutbound();
  }

  /** Stops starting flows (technicians go on answering the offers that still come). */
  stopStarting(): void {
    this.stopped = true;
  }

  /** Waits for every flow in flight to end; then stops the technicians' watch. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
  }

  total(): number {
    return [...this.sent.values()].reduce((a, b) => a + b, 0);
  }

  // --- pacing -------------------------------------------------------------------------------

  /** `perMinute` flows a minute, open loop: each is due at its time whatever the others do. */
  private pace(kind: string, perMinute: number, flow: (i: number) => Promise<void>): void {
    if (perMinute <= 0) return;
    const interval = 60_000 / perMinute;
    const started = Date.now() + Math.random() * interval;
    let i = 0;
    const tick = () => {
      if (this.stopped) return;
      this.launch(kind, () => flow(i));
      i += 1;
      this.timers.push(setTimeout(tick, Math.max(0, started + i * interval - Date.now())));
    };
    this.timers.push(setTimeout(tick, Math.max(0, started - Date.now())));
  }

  private launch(kind: string, flow: () => Promise<void>): void {
    const running = this.perKind.get(kind) ?? 0;
    if (running >= MAX_IN_FLIGHT) {
      this.fail(kind, `${running} flows still in flight: the desk is falling behind`);
      return;
    }
    this.perKind.set(kind, running + 1);
    const timeout = sleep(FLOW_TIMEOUT_MS, 'timeout' as const, { ref: false });
    const run = Promise.race([flow().then(() => 'done' as const), timeout])
      .then(
        (outcome) => {
          if (outcome === 'timeout') this.fail(kind, `flow not finished after ${FLOW_TIMEOUT_MS / 1000} s`);
        },
        (err: unknown) => this.fail(kind, err instanceof Error ? err.message : String(err)),
      )
      .finally(() => {
        this.perKind.set(kind, (this.perKind.get(kind) ?? 1) - 1);
        this.inFlight.delete(run);
      });
    this.inFlight.add(run);
  }

  private fail(kind: string, detail: string): void {
    this.errors.push({ at: Date.now(), kind, detail: detail.slice(0, 400) });
  }

  private count(kind: string): void {
    this.sent.set(kind, (this.sent.get(kind) ?? 0) + 1);
  }

  // --- HTTP -----------------------------------------------------------------------------------

  private async http(
    kind: string,
    method: string,
    path: string,
    body?: { json?: unknown; form?: Record<string, string> },
  ): Promise<{ status: number; text: string }> {
    this.count(kind);
    const headers: Record<string, string> = {};
    let payload: string | undefined;
    if (body?.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    }
    if (body?.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['x-twilio-signature'] = signRequest(this.desk.twilioAuthToken, this.desk.publicUrl + path, body.form);
      payload = new URLSearchParams(body.form).toString();
    }
    if (path.startsWith('/api/')) headers.authorization = `Bearer ${this.desk.apiToken}`;
    const res = await fetch(this.desk.url + path, { method, headers, body: payload, signal: AbortSignal.timeout(30_000) });
    return { status: res.status, text: await res.text() };
  }

  /** A request whose answer must be 2xx; returns the body, or null (and an error) otherwise. */
  private async expectOk(
    kind: string,
    method: string,
    path: string,
    body?: { json?: unknown; form?: Record<string, string> },
  ): Promise<string | null> {
    const res = await this.http(kind, method, path, body);
    if (res.status >= 200 && res.status < 300) return res.text;
    this.fail(kind, `${method} ${path.split('?')[0]} → ${res.status} ${res.text.slice(0, 200)}`);
    return null;
  }

  private async api<T>(kind: string, method: string, path: string, json?: unknown): Promise<T | null> {
    const text = await this.expectOk(kind, method, path, json === undefined ? undefined : { json });
    return text === null ? null : (JSON.parse(text) as T);
  }

  /** A signed Twilio webhook; its answer must be 200 with TwiML. */
  private async webhook(kind: string, path: string, form: Record<string, string>): Promise<TwimlNode | null> {
    const text = await this.expectOk(kind, 'POST', path, { form });
    if (text === null) return null;
    try {
      return parseTwiml(text);
    } catch (err) {
      this.fail(kind, `${path.split('?')[0]}: ${(err as Error).message.slice(0, 200)}`);
      return null;
    }
  }

  private actionOf(kind: string, doc: TwimlNode | null, verb: string): string | null {
    if (doc === null) return null;
    const action = find(doc, verb)?.attrs.action;
    if (!action) {
      this.fail(kind, `no <${verb} action> in the answer`);
      return null;
    }
    return action.startsWith(this.desk.publicUrl) ? action.slice(this.desk.publicUrl.length) : action;
  }

  // --- the flows ------------------------------------------------------------------------------

  /** A call: three in four describe a problem (a ticket), one in four checks a ticket's status. */
  private async call(i: number): Promise<void> {
    const call = {
      CallSid: sid('CA'),
      AccountSid: this.desk.accountSid,
      From: `+3362${String(i % 400).padStart(7, '0')}`,
      To: this.desk.hotline,
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    };
    const greeting = await this.webhook('voice', '/twilio/voice', call);
    const menu = this.actionOf('voice', greeting, 'Gather');
    if (menu === null) return;
    const inCall = { ...call, CallStatus: 'in-progress' };
    await sleep(300);
    const known = this.knownNumbers.length > 0 ? this.knownNumbers[(i * 7919) % this.knownNumbers.length] : undefined;
    if (i % 4 === 3 && known !== undefined) {
      const ask = await this.webhook('voice', menu, { ...inCall, Digits: '2' });
      const next = this.actionOf('voice', ask, 'Gather');
      if (next === null) return;
      await this.webhook('voice', next, { ...inCall, Digits: String(known) });
    } else {
      const describe = await this.webhook('voice', menu, { ...inCall, Digits: '1' });
      const next = this.actionOf('voice', describe, 'Gather');
      if (next === null) return;
      await sleep(300);
      const [, description] = pick(PROBLEMS, i);
      const done = await this.webhook('voice', next, { ...inCall, SpeechResult: description, Confidence: '0.91' });
      if (done !== null && !find(done, 'Hangup')) this.fail('voice', 'the call did not end after the description');
    }
    await this.webhook('voice-status', '/twilio/voice/status', { ...call, CallStatus: 'completed', CallDuration: '42' });
  }

  private async requesterSms(i: number): Promise<void> {
    const [subject, description] = pick(PROBLEMS, i * 3);
    await this.webhook('requester-sms', '/twilio/sms', {
      MessageSid: sid('SM'),
      AccountSid: this.desk.accountSid,
      From: `+3363${String(i % 400).padStart(7, '0')}`,
      To: this.desk.hotline,
      Body: `${subject} : ${description}`,
      NumMedia: '0',
    });
  }

  private async email(): Promise<void> {
    const raw = this.mail[this.mailIndex++ % this.mail.length]!;
    this.count('email');
    await deliver(this.desk.mailRoot, this.desk.imapUser, raw);
    this.emailsDelivered += 1;
  }

  /** A coordinator's script: open a ticket, read it, note it, and resolve it once a technician took it. */
  private async webTicket(i: number): Promise<void> {
    const [subject, description] = pick(PROBLEMS, i * 5);
    const sentAt = Date.now();
    const created = await this.api<{ number: number }>('api', 'POST', '/api/tickets', {
      subject,
      description,
      requester: { name: `Web User ${i % 300}`, email: `web${i % 300}@client.example` },
    });
    if (created === null) return;
    const n = created.number;
    this.apiTickets.set(n, sentAt);
    this.knownNumbers.push(n);
    await this.api('api', 'GET', `/api/tickets/${n}`);
    await this.api('api', 'POST', `/api/tickets/${n}/notes`, { body: 'Rappelé l’utilisateur, en attente du technicien', internal: true });
    const deadline = Date.now() + 60_000;
    for (;;) {
      await sleep(1_000);
      const t = await this.api<{ status: string }>('api', 'GET', `/api/tickets/${n}`);
      if (t === null) return;
      if (t.status === 'in_progress') break;
      if (Date.now() > deadline) {
        this.fail('api', `HD-${n} not taken by a technician within 60 s (status ${t.status})`);
        return;
      }
    }
    if ((await this.api('api', 'POST', `/api/tickets/${n}/resolve`, { resolution: 'Toner remplacé, testé avec l’utilisateur' })) !== null) {
      this.webTicketsResolved += 1;
    }
  }

  private async apiRead(i: number): Promise<void> {
    const known = this.knownNumbers.at(-1 - (i % 20));
    const reads = [
      '/api/tickets?status=new&limit=20',
      '/api/tickets?q=imprimante&limit=20',
      '/api/tickets?channel=email&limit=50',
      '/api/stats',
      '/api/technicians',
      known === undefined ? '/api/tickets?limit=5' : `/api/tickets/${known}`,
      '/api/tickets?channel=voice&offset=20&limit=20',
      '/api/quarantine',
    ];
    await this.api('api', 'GET', pick(reads, i));
  }

  private async technicianList(i: number): Promise<void> {
    const reply = await this.technicianSms(pick(this.desk.technicianPhones, i), 'LIST');
    if (reply !== null && !TECH_LIST.test(reply)) this.fail('technician-sms', `LIST answered "${reply.slice(0, 120)}"`);
  }

  /** A technician's SMS; returns the text of the TwiML reply. */
  private async technicianSms(phone: string, body: string): Promise<string | null> {
    const doc = await this.webhook('technician-sms', '/twilio/sms', {
      MessageSid: sid('SM'),
      AccountSid: this.desk.accountSid,
      From: phone,
      To: this.desk.hotline,
      Body: body,
      NumMedia: '0',
    });
    return doc === null ? null : (find(doc, 'Message')?.text ?? '');
  }

  /**
   * Twilio's side: every SMS the desk sends gets its delivery callback, and an offer to a
   * technician gets their answer.
   */
  private watchOutbound(): void {
    const techs = new Set(this.desk.technicianPhones);
    const poll = () => {
      const messages = this.desk.standIn.messages;
      while (this.seenMessages < messages.length) {
        const m = messages[this.seenMessages++]!;
        this.launch('sms-status', async () => {
          await sleep(500);
          this.count('sms-status');
          const status = await this.desk.standIn.sendStatusCallback(m.sid, 'delivered');
          if (status !== 200) this.fail('sms-status', `status callback → ${status}`);
        });
        const offered = techs.has(m.to) ? /ACCEPT (\d+)/.exec(m.body)?.[1] : undefined;
        if (offered !== undefined) {
          this.technician.offers += 1;
          const key = `${m.to} ${offered}`;
          if (!this.handling.has(key)) {
            this.handling.add(key);
            this.launch('technician-sms', () => this.work(m.to, Number(offered)).finally(() => this.handling.delete(key)));
          }
        }
      }
      this.timers.push(setTimeout(poll, 200));
    };
    poll();
  }

  private async work(phone: string, n: number): Promise<void> {
    await sleep(1_000 + Math.random() * 1_000);
    const accepted = await this.technicianSms(phone, `ACCEPT ${n}`);
    if (accepted === null) return;
    if (accepted !== EN.accepted(String(n))) {
      this.fail('technician-sms', `ACCEPT ${n} answered "${accepted.slice(0, 120)}"`);
      return;
    }
    this.technician.accepted += 1;
    if (!this.knownNumbers.includes(n)) this.knownNumbers.push(n);
    // The coordinator's script resolves its own tickets through the API.
    const createdAt = this.apiTickets.get(n);
    if (createdAt !== undefined) {
      this.webTaken.push(Date.now() - createdAt);
      return;
    }
    await sleep(4_000 + Math.random() * 8_000);
    if (n % 3 === 0) {
      const noted = await this.technicianSms(phone, `NOTE ${n} redémarré le spouleur`);
      if (noted !== EN.noted(String(n))) this.fail('technician-sms', `NOTE ${n} answered "${String(noted).slice(0, 120)}"`);
      else this.technician.noted += 1;
    }
    const done = await this.technicianSms(phone, `DONE ${n} Réglé à distance, testé avec l'utilisateur`);
    if (done !== EN.resolved(String(n))) this.fail('technician-sms', `DONE ${n} answered "${String(done).slice(0, 120)}"`);
    else this.technician.resolved += 1;
  }
}
