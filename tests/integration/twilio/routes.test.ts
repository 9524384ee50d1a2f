import type { Router } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwilioRouter } from '../../../src/intake/twilio/router.js';
import { isTwilioSignatureMiddleware, signRequest } from '../../../src/intake/twilio/signature.js';
import { storableForm } from '../../../src/intake/twilio/storable-form.js';
import { createTestDesk, type TestDesk } from '../../support/desk.js';
import { AUTH_TOKEN, HOTLINE, PUBLIC_URL, countTickets, post, twilioDesk } from './webhooks.js';

let desk: TestDesk;
beforeAll(async () => {
  desk = await twilioDesk();
});
afterAll(async () => {
  await desk?.close();
});

interface Layer {
  name?: string;
  handle: unknown;
  route?: { path: string; stack: Layer[]; methods?: Record<string, boolean> };
}

function layers(router: Router): Layer[] {
  return (router as unknown as { stack: Layer[] }).stack;
}

describe('the Twilio route table', () => {
  const router = () =>
    createTwilioRouter({
      config: desk.config,
      twilio: desk.config.twilio!,
      store: desk.services.store,
      tickets: desk.services.tickets,
      redis: desk.redis,
      log: desk.log,
    });

  it('checks the signature on every route, after parsing the form and before any handler', () => {
    const table = layers(router());
    expect(table.length).toBeGreaterThan(0);
    for (const layer of table) {
      // A bare middleware here could answer a request no route has checked.
      expect(layer.route, `a layer without a route: ${layer.name ?? '?'}`).toBeDefined();
      const stack = layer.route!.stack;
      const at = stack.findIndex((l) => isTwilioSignatureMiddleware(l.handle));
      expect(at, `${layer.route!.path} has no signature check`).toBeGreaterThanOrEqual(0);
      expect(
        stack.slice(0, at).map((l) => l.name),
        layer.route!.path,
      ).toEqual(['urlencodedParser']);
      expect(at, `${layer.route!.path} has no handler after its check`).toBeLessThan(stack.length - 1);
      // Cleaned after the check (Twilio signs the raw values), before the handler reads them.
      expect(stack[at + 1]?.handle, `${layer.route!.path} does not clean its parameters`).toBe(storableForm);
    }
  });

  it('serves the contract’s webhooks', () => {
    const paths = layers(router()).map((l) => l.route?.path);
    expect(paths).toEqual(expect.arrayContaining(['/voice', '/voice/status', '/sms', '/sms/status']));
  });
});

describe('a request Twilio did not sign', () => {
  const sms = {
    MessageSid: 'SM-forged-1',
    AccountSid: `AC${'0'.repeat(32)}`,
    From: '+33655555555',
    To: HOTLINE,
    Body: 'My screen is black',
    NumMedia: '0',
  };
  const voice = { CallSid: 'CA-forged-1', From: '+33655555555', To: HOTLINE, CallStatus: 'in-progress' };

  async function refused(path: string, params: Record<string, string>, signature?: string) {
    const before = await countTickets(desk);
    const req = request(desk.app).post(path).type('form');
    if (signature !== undefined) req.set('X-Twilio-Signature', signature);
    const res = await req.send(params);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('BAD_SIGNATURE');
    expect(await countTickets(desk)).toBe(before);
    expect(await desk.services.store.messages.ticketIdOf('sms', params.MessageSid ?? '-')).toBeUndefined();
  }

  it('gets 403 and opens nothing: no signature, another token, another URL, altered parameters', async () => {
    await refused('/twilio/sms', sms);
    await refused('/twilio/sms', sms, signRequest('another-token', `${PUBLIC_URL}/twilio/sms`, sms));
    // Signed for the address the request reached rather than PUBLIC_URL: a proxy's Host is not trusted.
    await refused('/twilio/sms', sms, signRequest(AUTH_TOKEN, 'http://127.0.0.1/twilio/sms', sms));
    await refused('/twilio/sms', { ...sms, Body: 'altered' }, signRequest(AUTH_TOKEN, `${PUBLIC_URL}/twilio/sms`, sms));
    await refused(
      '/twilio/voice/step?stage=menu&attempts=0',
      { ...voice, Digits: '1' },
      signRequest(AUTH_TOKEN, `${PUBLIC_URL}/twilio/voice/step?stage=describe&attempts=0`, { ...voice, Digits: '1' }),
    );
    await refused('/twilio/voice/status', voice, 'bm90IGEgc2lnbmF0dXJl');
    await refused('/twilio/sms/status', { MessageSid: 'SM-forged-2', MessageStatus: 'delivered' });
  });

  it('is served once signed, which shows the refusals above were about the signature', async () => {
    const before = await countTickets(desk);
    await post(desk, '/twilio/sms', sms);
    expect(await countTickets(desk)).toBe(before + 1);
  });

  it('on an unknown voice hook: 404 once signed', async () => {
    const params = { CallSid: 'CA-unknown-hook' };
    const res = await request(desk.app)
      .post('/twilio/voice/nonsense')
      .type('form')
      .set('X-Twilio-Signature', signRequest(AUTH_TOKEN, `${PUBLIC_URL}/twilio/voice/nonsense`, params))
      .send(params);
    expect(res.status).toBe(404);
  });
});

describe('a signed request with text Postgres cannot store', () => {
  const NUL = '\u0000';
  const LONE = '\ud83d';

  it('opens the SMS ticket with NUL dropped and a lone surrogate replaced, on every parameter', async () => {
    const sms = {
      MessageSid: `SM-nul${NUL}1`,
      AccountSid: `AC${'0'.repeat(32)}`,
      From: '+33655550001',
      To: HOTLINE,
      Body: `Imprimante${NUL} en panne ${LONE}!`,
      NumMedia: '0',
      [`Extra${NUL}`]: `x${NUL}`,
    };
    const before = await countTickets(desk);
    await post(desk, '/twilio/sms', sms);
    expect(await countTickets(desk)).toBe(before + 1);
    const id = await desk.services.store.messages.ticketIdOf('sms', 'SM-nul1');
    expect(id).toBeDefined();
    const t = await desk.services.store.tickets.get(id!);
    expect(t?.description).toBe('Imprimante en panne \ufffd!');
  });

  it('opens the voice ticket from speech with a NUL in it', async () => {
    const c = { CallSid: `CA-nul${NUL}1`, From: '+33655550002', To: HOTLINE, CallStatus: 'in-progress' };
    await post(desk, '/twilio/voice', c);
    await post(desk, '/twilio/voice/step?stage=describe&attempts=0&lang=fr', { ...c, SpeechResult: `Écran${NUL} noir ${LONE}` });
    const id = await desk.services.store.messages.ticketIdOf('voice', 'CA-nul1');
    const t = await desk.services.store.tickets.get(id!);
    expect(t?.description).toBe('Écran noir \ufffd');
  });
});

describe('a desk without telephony', () => {
  it('answers 503 on /twilio/*', async () => {
    const off = await createTestDesk();
    try {
      const res = await request(off.app).post('/twilio/voice').type('form').send({ CallSid: 'CA1' });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('TELEPHONY_DISABLED');
    } finally {
      await off.close();
    }
  });
});
