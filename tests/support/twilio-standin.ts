import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for Twilio's Messages API, close enough to the wire format that the real
 * twilio client talks to it unchanged (TWILIO_API_URL points here).
 */

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Decoded Basic credentials, or null when absent or unreadable. */
  auth: { username: string; password: string } | null;
  form: Record<string, string>;
  at: Date;
}

export type Failure = { status: number; code?: number; message?: string } | { disconnect: true };

export interface SentMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  statusCallback: string | undefined;
  createdAt: Date;
}

/**
 * How a held request behaves, to stand for a client that dies mid-send: `accepted`, Twilio took the
 * message (it is in `messages` and in the list) but the answer never comes back; `unprocessed`, the
 * request arrived and nothing came of it.
 */
export type HoldMode = 'accepted' | 'unprocessed';

export interface TwilioStandIn {
  /** Base URL to use as TWILIO_API_URL. */
  url: string;
  accountSid: string;
  authToken: string;
  /** Every request, answered or not, in arrival order. */
  requests: RecordedRequest[];
  /** Messages answered with 201. */
  messages: SentMessage[];
  /** The next `n` message requests fail this way; later calls queue behind earlier ones. */
  failNext(n: number, failure: Failure): void;
  /** An outage: every message request fails this way until called with null. */
  failAll(failure: Failure | null): void;
  /** The next `n` message requests get no answer until releaseHeld() or until the client goes away. */
  holdNext(n: number, mode: HoldMode): void;
  /** Requests held open right now. */
  held(): number;
  /** Answers the held requests (accepted ones with 201, unprocessed ones with their message created now). */
  releaseHeld(): void;
  /**
   * Posts a status callback for a sent message, signed as Twilio does, to its StatusCallback (or `url`).
   * Returns the HTTP status the receiver answered.
   */
  sendStatusCallback(sid: string, status: string, opts?: { url?: string; errorCode?: number }): Promise<number>;
  stop(): Promise<void>;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Twilio's webhook signature: HMAC-SHA1 over the URL followed by the sorted parameters, base64. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

function errorBody(status: number, code: number, message: string) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function parseBasic(header: string | undefined): RecordedRequest['auth'] {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export async function startTwilioStandIn(options: { accountSid?: string; authToken?: string } = {}): Promise<TwilioStandIn> {
  const accountSid = options.accountSid ?? `AC${hex(16)}`;
  const authToken = options.authToken ?? hex(16);
  const requests: RecordedRequest[] = [];
  const messages: SentMessage[] = [];
  const failures: Failure[] = [];
  let outage: Failure | null = null;
  const holds: HoldMode[] = [];
  const heldOpen = new Set<() => void>();

  const messageJson = (m: SentMessage) => {
    const date = m.createdAt.toUTCString().replace('GMT', '+0000');
    return {
      account_sid: accountSid,
      api_version: '2010-04-01',
      body: m.body,
      date_created: date,
      date_sent: null,
      date_updated: date,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: m.from,
      messaging_service_sid: null,
      num_media: '0',
      num_segments: String(Math.max(1, Math.ceil(m.body.length / 153))),
      price: null,
      price_unit: 'USD',
      sid: m.sid,
      status: 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}/Media.json` },
      to: m.to,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}.json`,
    };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const auth = parseBasic(req.headers.authorization);
      requests.push({ method: req.method ?? 'GET', path, headers: req.headers, auth, form, at: new Date() });

      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };

      // The account itself, which `helpdesk doctor` reads to check the credentials.
      const account = /^\/2010-04-01\/Accounts\/([^/]+)\.json$/.exec(path);
      if (account && req.method === 'GET') {
        if (auth?.username !== accountSid || auth.password !== authToken || account[1] !== accountSid) {
          return json(401, errorBody(401, 20003, 'Authenticate'));
        }
        return json(200, { sid: accountSid, friendly_name: 'Stand-in', status: 'active', type: 'Full' });
      }
      const route = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
      if (route && req.method === 'GET' && auth?.username === accountSid && auth.password === authToken) {
        // The message list, filtered by To and From, newest first: what a client reconciles against.
        const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
        const size = Number(query.get('PageSize') ?? 50);
        const list = messages
          .filter((m) => (!query.get('To') || m.to === query.get('To')) && (!query.get('From') || m.from === query.get('From')))
          .slice()
          .reverse()
          .slice(0, size);
        const uri = `/2010-04-01/Accounts/${accountSid}/Messages.json?PageSize=${size}&Page=0`;
        json(200, {
          messages: list.map(messageJson),
          end: Math.max(0, list.length - 1),
          first_page_uri: uri,
          next_page_uri: null,
          page: 0,
          page_size: size,
          previous_page_uri: null,
          start: 0,
          uri,
        });
        return;
      }
      if (!route || req.method !== 'POST') {
        json(404, errorBody(404, 20404, `The requested resource ${path} was not found`));
        return;
      }
      if (!auth || auth.username !== accountSid || auth.password !== authToken || route[1] !== accountSid) {
        json(401, errorBody(401, 20003, 'Authenticate'));
        return;
      }
      const failure = outage ?? failures.shift();
      if (failure) {
        if ('disconnect' in failure) {
          req.socket.destroy();
          return;
        }
        json(failure.status, errorBody(failure.status, failure.code ?? failure.status, failure.message ?? 'Failure'));
        return;
      }
      const { To: to, From: from, Body: body, StatusCallback: statusCallback } = form;
      if (!to) return json(400, errorBody(400, 21604, "A 'To' phone number is required."));
      if (!from) return json(400, errorBody(400, 21603, "A 'From' phone number is required."));
      if (!body) return json(400, errorBody(400, 21602, 'Message body is required.'));

      const accept = () => {
        const message: SentMessage = { sid: `SM${hex(16)}`, to, from, body, statusCallback, createdAt: new Date() };
        messages.push(message);
        return message;
      };
      const hold = holds.shift();
      if (hold) {
        const accepted = hold === 'accepted' ? accept() : undefined;
        const release = () => {
          heldOpen.delete(release);
          json(201, messageJson(accepted ?? accept()));
        };
        heldOpen.add(release);
        // The client went away: an unprocessed request leaves nothing behind, an accepted one stays.
        res.on('close', () => heldOpen.delete(release));
        return;
      }
      json(201, messageJson(accept()));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    requests,
    messages,
    failNext(n, failure) {
      for (let i = 0; i < n; i++) failures.push(failure);
    },
    failAll(failure) {
      outage = failure;
    },
    holdNext(n, mode) {
      for (let i = 0; i < n; i++) holds.push(mode);
    },
    held() {
      return heldOpen.size;
    },
    releaseHeld() {
      for (const release of [...heldOpen]) release();
    },
    async sendStatusCallback(sid, status, opts = {}) {
      const message = messages.find((m) => m.sid === sid);
      const target = opts.url ?? message?.statusCallback;
      if (!message || !target) throw new Error(`no message ${sid} with a status callback`);
      const params: Record<string, string> = {
        AccountSid: accountSid,
        ApiVersion: '2010-04-01',
        From: message.from,
        MessageSid: sid,
        MessageStatus: status,
        SmsSid: sid,
        SmsStatus: status,
        To: message.to,
      };
      if (opts.errorCode !== undefined) params.ErrorCode = String(opts.errorCode);
      const res = await fetch(target, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': twilioSignature(authToken, target, params),
        },
        body: new URLSearchParams(params).toString(),
      });
      await res.arrayBuffer();
      return res.status;
    },
    stop() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
