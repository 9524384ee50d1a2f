import twilio from 'twilio';
import { SendError, type DeliveryStatus, type OutboundSms, type SentSmsQuery, type SmsSender, type SmsSent } from './types.js';

/** The one place the twilio SDK is used for sending. */

export interface TwilioSmsOptions {
  accountSid: string;
  authToken: string;
  /** TWILIO_PHONE_NUMBER, E.164. */
  from: string;
  /** TWILIO_API_URL; `https://api.twilio.com` in production, a loopback stand-in in tests. */
  apiUrl: string;
  /** `PUBLIC_URL/twilio/sms/status`. */
  statusCallbackUrl: string;
  /** Per-request timeout; the SDK's default of 30 s would hold a queue slot too long. */
  timeoutMs?: number;
}

type RequestOptions = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0];

const TWILIO_API_HOST = 'api.twilio.com';

/**
 * The SDK has no base-URL option, so requests are moved onto TWILIO_API_URL here, the last moment
 * before they leave. Only api.twilio.com is rebased: that is the REST API the variable names.
 */
class RebasedRequestClient extends twilio.RequestClient {
  readonly #base: URL | undefined;

  constructor(apiUrl: string, timeoutMs: number) {
    // autoRetry off: a hidden retry inside the SDK would double our queue's backoff and hide 429s from it.
    super({ autoRetry: false, timeout: timeoutMs, keepAlive: true });
    const base = new URL(apiUrl);
    this.#base = base.hostname === TWILIO_API_HOST && base.protocol === 'https:' && base.pathname === '/' ? undefined : base;
  }

  override request<TData>(opts: RequestOptions & { data?: TData }) {
    return super.request<TData>({ ...opts, uri: rebase(opts.uri, this.#base) });
  }
}

export function rebase(uri: string, base: URL | undefined): string {
  if (!base) return uri;
  const original = new URL(uri);
  if (original.hostname !== TWILIO_API_HOST) return uri;
  const prefix = base.pathname.replace(/\/+$/, '');
  return `${base.origin}${prefix}${original.pathname}${original.search}`;
}

export function createTwilioSmsSender(options: TwilioSmsOptions): SmsSender {
  const httpClient = new RebasedRequestClient(options.apiUrl, options.timeoutMs ?? 10_000);
  const client = twilio(options.accountSid, options.authToken, { httpClient, autoRetry: false });

  return {
    async send(msg: OutboundSms): Promise<SmsSent> {
      let sent;
      try {
        sent = await client.messages.create({
          to: msg.to,
          from: options.from,
          body: msg.body,
          statusCallback: msg.statusCallback ?? options.statusCallbackUrl,
        });
      } catch (err) {
        throw toSendError(err);
      }
      return { externalId: sent.sid, status: mapTwilioMessageStatus(sent.status) ?? 'queued' };
    },

    async findSent(query: SentSmsQuery): Promise<SmsSent | null> {
      // Twilio has no idempotency key on Messages; its message list, filtered by To and From and
      // newest first, is the record of what it accepted. One page is plenty: few messages go to one
      // person from the desk's number in the minutes a lease lasts.
      let page;
      try {
        page = await client.messages.page({ to: query.to, from: options.from, pageSize: 50 });
      } catch (err) {
        throw toSendError(err);
      }
      const found = page.instances.find(
        (m) => m.dateCreated.getTime() >= query.since.getTime() && (m.body === query.body || m.body.endsWith(query.body)),
      );
      return found ? { externalId: found.sid, status: mapTwilioMessageStatus(found.status) ?? 'queued' } : null;
    },
  };
}

/** Twilio error codes that name a reason worth its own code in the dead-letter view. */
const PERMANENT_CODES: Record<number, string> = {
  20003: 'AUTH_FAILED',
  20404: 'NOT_FOUND',
  21211: 'INVALID_NUMBER',
  21408: 'REGION_NOT_ENABLED',
  21606: 'SENDER_NOT_SMS_CAPABLE',
  21610: 'UNSUBSCRIBED',
  21612: 'UNREACHABLE_NUMBER',
  21614: 'NOT_MOBILE',
  21617: 'BODY_TOO_LONG',
};

interface VendorHttpError {
  status: number;
  code?: number;
  message?: string;
}

function isVendorHttpError(err: unknown): err is VendorHttpError {
  // Duck-typed: the SDK throws RestException or, for RFC 9457 bodies, TwilioServiceException.
  return typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number';
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/** Maps whatever the SDK threw onto our SendError; exported for tests and for callers of other Twilio APIs. */
export function toSendError(err: unknown): SendError {
  if (err instanceof SendError) return err;
  if (isVendorHttpError(err)) {
    const { status, code } = err;
    const message = `Twilio: ${err.message ?? `HTTP ${status}`}`;
    if (status === 429 || code === 20429) {
      return new SendError('transient', 'RATE_LIMITED', message, { vendorCode: code ?? status, cause: err });
    }
    if (status >= 500) {
      return new SendError('transient', 'VENDOR_UNAVAILABLE', message, { vendorCode: code ?? status, cause: err });
    }
    const named = code === undefined ? undefined : PERMANENT_CODES[code];
    return new SendError('permanent', named ?? 'REJECTED', message, { vendorCode: code ?? status, cause: err });
  }
  // No HTTP answer at all (refused, reset, DNS, timeout): the message may or may not have left,
  // and only the queue, which owns idempotency, can decide to try again.
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    return new SendError('transient', 'TIMEOUT', `Twilio: ${message}`, { vendorCode: code, cause: err });
  }
  return new SendError('transient', 'NETWORK', `Twilio: ${message}`, {
    vendorCode: typeof code === 'string' ? code : undefined,
    cause: err,
  });
}

const STATUS_MAP: Record<string, DeliveryStatus> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  // Some segments arrived, not all: the requester may have a truncated text, so it counts as a failure to see.
  partially_delivered: 'undelivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

/**
 * Twilio's MessageStatus (API answer or `/twilio/sms/status` callback) in our vocabulary.
 * Unknown or inbound-only statuses (receiving, received) give undefined: the caller keeps what it has.
 */
export function mapTwilioMessageStatus(vendorStatus: string | null | undefined): DeliveryStatus | undefined {
  if (!vendorStatus) return undefined;
  return STATUS_MAP[vendorStatus.trim().toLowerCase()];
}
