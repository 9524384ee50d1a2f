import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTwilioSmsSender, mapTwilioMessageStatus, rebase } from '../../../src/notify/channels/twilio-sms.js';
import { SendError, type SmsSender } from '../../../src/notify/channels/types.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../support/twilio-standin.js';

const FROM = '+33100000000';
const TO = '+33612345678';
const CALLBACK = 'https://desk.example.org/twilio/sms/status';

let standIn: TwilioStandIn;
let sender: SmsSender;

beforeAll(async () => {
  standIn = await startTwilioStandIn();
  sender = createTwilioSmsSender({
    accountSid: standIn.accountSid,
    authToken: standIn.authToken,
    from: FROM,
    apiUrl: standIn.url,
    statusCallbackUrl: CALLBACK,
  });
});

afterAll(async () => {
  await standIn.stop();
});

beforeEach(() => {
  standIn.requests.length = 0;
  standIn.messages.length = 0;
});

async function sendError(promise: Promise<unknown>): Promise<SendError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SendError);
  return err as SendError;
}

describe('Twilio SMS sender through the stand-in', () => {
  it('posts To, From, Body and StatusCallback with Basic auth to the Messages API', async () => {
    const sent = await sender.send({ to: TO, body: 'HD-1042 P2 network: VPN down. ACCEPT 1042 / DECLINE 1042' });

    expect(sent.externalId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(sent.status).toBe('queued');
    expect(standIn.requests).toHaveLength(1);
    const [request] = standIn.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/2010-04-01/Accounts/${standIn.accountSid}/Messages.json`);
    expect(request?.auth).toEqual({ username: standIn.accountSid, password: standIn.authToken });
    expect(request?.form).toEqual({
      To: TO,
      From: FROM,
      Body: 'HD-1042 P2 network: VPN down. ACCEPT 1042 / DECLINE 1042',
      StatusCallback: CALLBACK,
    });
    expect(standIn.messages[0]?.sid).toBe(sent.externalId);
  });

  it('lets one message override the status callback', async () => {
    await sender.send({ to: TO, body: 'hello', statusCallback: 'https://other.example.org/cb' });
    expect(standIn.requests[0]?.form.StatusCallback).toBe('https://other.example.org/cb');
  });

  it('turns error 21211 (invalid To) into a permanent SendError, without retrying', async () => {
    standIn.failNext(1, { status: 400, code: 21211, message: "The 'To' number +1 is not a valid phone number." });
    const err = await sendError(sender.send({ to: '+1', body: 'x' }));
    expect(err.kind).toBe('permanent');
    expect(err.code).toBe('INVALID_NUMBER');
    expect(err.vendorCode).toBe(21211);
    expect(standIn.requests).toHaveLength(1);
  });

  it.each([
    [21610, 'UNSUBSCRIBED'],
    [21614, 'NOT_MOBILE'],
    [21408, 'REGION_NOT_ENABLED'],
    [21999, 'REJECTED'],
  ])('maps Twilio error %i to permanent %s', async (code, ours) => {
    standIn.failNext(1, { status: 400, code });
    const err = await sendError(sender.send({ to: TO, body: 'x' }));
    expect(err.kind).toBe('permanent');
    expect(err.code).toBe(ours);
  });

  it('turns a 503 into a transient SendError, and the next attempt succeeds', async () => {
    standIn.failNext(1, { status: 503, code: 20503, message: 'Service Unavailable' });
    const err = await sendError(sender.send({ to: TO, body: 'retry me' }));
    expect(err.kind).toBe('transient');
    expect(err.code).toBe('VENDOR_UNAVAILABLE');

    const sent = await sender.send({ to: TO, body: 'retry me' });
    expect(sent.status).toBe('queued');
    expect(standIn.requests).toHaveLength(2);
    expect(standIn.messages).toHaveLength(1);
  });

  it('leaves 429 to our queue: transient, and the SDK does not retry by itself', async () => {
    standIn.failNext(1, { status: 429, code: 20429, message: 'Too Many Requests' });
    const err = await sendError(sender.send({ to: TO, body: 'x' }));
    expect(err.kind).toBe('transient');
    expect(err.code).toBe('RATE_LIMITED');
    expect(standIn.requests).toHaveLength(1);
  });

  it('treats a dropped connection as transient', async () => {
    standIn.failNext(1, { disconnect: true });
    const err = await sendError(sender.send({ to: TO, body: 'x' }));
    expect(err.kind).toBe('transient');
    expect(err.code).toBe('NETWORK');
  });

  it('treats a refused connection as transient', async () => {
    const gone = await startTwilioStandIn();
    await gone.stop();
    const orphan = createTwilioSmsSender({
      accountSid: gone.accountSid,
      authToken: gone.authToken,
      from: FROM,
      apiUrl: gone.url,
      statusCallbackUrl: CALLBACK,
    });
    const err = await sendError(orphan.send({ to: TO, body: 'x' }));
    expect(err.kind).toBe('transient');
  });

  it('reports wrong credentials as a permanent AUTH_FAILED', async () => {
    const wrong = createTwilioSmsSender({
      accountSid: standIn.accountSid,
      authToken: 'not-the-token',
      from: FROM,
      apiUrl: standIn.url,
      statusCallbackUrl: CALLBACK,
    });
    const err = await sendError(wrong.send({ to: TO, body: 'x' }));
    expect(err.kind).toBe('permanent');
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.vendorCode).toBe(20003);
  });
});

describe('mapTwilioMessageStatus', () => {
  it.each([
    ['accepted', 'queued'],
    ['scheduled', 'queued'],
    ['queued', 'queued'],
    ['sending', 'queued'],
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['read', 'delivered'],
    ['undelivered', 'undelivered'],
    ['failed', 'failed'],
    ['canceled', 'failed'],
    ['DELIVERED', 'delivered'],
  ] as const)('%s → %s', (vendor, ours) => {
    expect(mapTwilioMessageStatus(vendor)).toBe(ours);
  });

  it('gives undefined for statuses that are not about an outbound message', () => {
    expect(mapTwilioMessageStatus('received')).toBeUndefined();
    expect(mapTwilioMessageStatus('something-new')).toBeUndefined();
    expect(mapTwilioMessageStatus(undefined)).toBeUndefined();
  });
});

describe('rebase', () => {
  const uri = 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?x=1';
  it('moves api.twilio.com onto the configured base, keeping a path prefix', () => {
    expect(rebase(uri, new URL('http://127.0.0.1:9999/twilio/'))).toBe(
      'http://127.0.0.1:9999/twilio/2010-04-01/Accounts/AC1/Messages.json?x=1',
    );
  });
  it('leaves other hosts and the default base alone', () => {
    expect(rebase('https://messaging.twilio.com/v1/Services', new URL('http://127.0.0.1:1'))).toBe(
      'https://messaging.twilio.com/v1/Services',
    );
    expect(rebase(uri, undefined)).toBe(uri);
  });
});

describe('the stand-in status callback', () => {
  it('is signed the way twilio.validateRequest checks', async () => {
    const received: { signature: string; params: Record<string, string> }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({
          signature: String(req.headers['x-twilio-signature']),
          params: Object.fromEntries(new URLSearchParams(body)),
        });
        res.end('<Response/>');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/twilio/sms/status`;
    try {
      const sent = await sender.send({ to: TO, body: 'hi', statusCallback: url });
      expect(await standIn.sendStatusCallback(sent.externalId, 'delivered')).toBe(200);
      const [cb] = received;
      expect(cb?.params.MessageSid).toBe(sent.externalId);
      expect(mapTwilioMessageStatus(cb?.params.MessageStatus)).toBe('delivered');
      expect(twilio.validateRequest(standIn.authToken, cb?.signature ?? '', url, cb?.params ?? {})).toBe(true);
    } finally {
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
