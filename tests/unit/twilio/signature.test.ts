import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { isAppError } from '../../../src/errors.js';
import {
  isTwilioSignatureMiddleware,
  isValidSignature,
  signRequest,
  signedUrl,
  verifyTwilioSignature,
} from '../../../src/intake/twilio/signature.js';

/** The worked example of Twilio's "Webhooks security" page. */
const DOCS = {
  authToken: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+12349013030',
    Digits: '1234',
    From: '+12349013030',
    To: '+18005551212',
  },
  signature: '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
};

describe("Twilio's published test vector", () => {
  it('computes the documented signature', () => {
    expect(signRequest(DOCS.authToken, DOCS.url, DOCS.params)).toBe(DOCS.signature);
  });

  it('accepts the documented request', () => {
    expect(isValidSignature(DOCS.authToken, DOCS.signature, DOCS.url, DOCS.params)).toBe(true);
  });

  it('refuses a changed parameter, an added one, or a removed one', () => {
    expect(isValidSignature(DOCS.authToken, DOCS.signature, DOCS.url, { ...DOCS.params, Digits: '1235' })).toBe(false);
    expect(isValidSignature(DOCS.authToken, DOCS.signature, DOCS.url, { ...DOCS.params, Extra: '1' })).toBe(false);
    const { Caller: _dropped, ...fewer } = DOCS.params;
    expect(isValidSignature(DOCS.authToken, DOCS.signature, DOCS.url, fewer)).toBe(false);
  });

  it('refuses a changed URL', () => {
    for (const url of [
      'https://mycompany.com/myapp.php?foo=1&bar=3',
      'https://mycompany.com/myapp.php',
      'https://evil.example.com/myapp.php?foo=1&bar=2',
      'http://mycompany.com/myapp.php?foo=1&bar=2',
    ]) {
      expect(isValidSignature(DOCS.authToken, DOCS.signature, url, DOCS.params), url).toBe(false);
    }
  });

  it('refuses another token, a missing signature and a truncated one', () => {
    expect(isValidSignature('54321', DOCS.signature, DOCS.url, DOCS.params)).toBe(false);
    expect(isValidSignature(DOCS.authToken, undefined, DOCS.url, DOCS.params)).toBe(false);
    expect(isValidSignature(DOCS.authToken, '', DOCS.url, DOCS.params)).toBe(false);
    expect(isValidSignature(DOCS.authToken, DOCS.signature.slice(0, -1), DOCS.url, DOCS.params)).toBe(false);
  });

  it('accepts the URL signed with or without the default port', () => {
    const withPort = 'https://mycompany.com:443/myapp.php?foo=1&bar=2';
    expect(isValidSignature(DOCS.authToken, DOCS.signature, withPort, DOCS.params)).toBe(true);
    const signedWithPort = signRequest(DOCS.authToken, withPort, DOCS.params);
    expect(isValidSignature(DOCS.authToken, signedWithPort, DOCS.url, DOCS.params)).toBe(true);

    const http = 'http://desk.example.com/twilio/sms';
    const signedWith80 = signRequest(DOCS.authToken, 'http://desk.example.com:80/twilio/sms', DOCS.params);
    expect(isValidSignature(DOCS.authToken, signedWith80, http, DOCS.params)).toBe(true);
    // Another port is another URL.
    const signedWith8443 = signRequest(DOCS.authToken, 'https://mycompany.com:8443/myapp.php?foo=1&bar=2', DOCS.params);
    expect(isValidSignature(DOCS.authToken, signedWith8443, DOCS.url, DOCS.params)).toBe(false);
  });
});

describe('verifyTwilioSignature middleware', () => {
  const authToken = 'test-auth-token-123';
  const publicUrl = 'https://desk.example.com';

  function app() {
    const handler = vi.fn((_req: Request, res: Response) => {
      res.type('text/xml').send('<Response/>');
    });
    const a = express();
    a.use(express.urlencoded({ extended: false }));
    a.post(['/twilio/voice', '/twilio/voice/step'], verifyTwilioSignature({ authToken, publicUrl }), handler);
    a.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      const status = isAppError(err) ? err.status : 500;
      res.status(status).json({ error: { code: isAppError(err) ? err.code : 'INTERNAL' } });
    });
    return { app: a, handler };
  }

  const form = { CallSid: 'CA42', From: '+33612345678', To: '+33100000000', CallStatus: 'ringing' };

  it('lets a correctly signed request through', async () => {
    const { app: a, handler } = app();
    const res = await request(a)
      .post('/twilio/voice')
      .set('X-Twilio-Signature', signRequest(authToken, `${publicUrl}/twilio/voice`, form))
      .type('form')
      .send(form);
    expect(res.status).toBe(200);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('validates against PUBLIC_URL, whatever the Host header says', async () => {
    const { app: a, handler } = app();
    const res = await request(a)
      .post('/twilio/voice')
      .set('Host', 'internal-upstream:3000')
      .set('X-Twilio-Signature', signRequest(authToken, `${publicUrl}/twilio/voice`, form))
      .type('form')
      .send(form);
    expect(res.status).toBe(200);

    const forHost = await request(a)
      .post('/twilio/voice')
      .set('Host', 'internal-upstream:3000')
      .set('X-Twilio-Signature', signRequest(authToken, 'http://internal-upstream:3000/twilio/voice', form))
      .type('form')
      .send(form);
    expect(forHost.status).toBe(403);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('signs the query string too, as Twilio does for action URLs', async () => {
    const { app: a, handler } = app();
    const path = '/twilio/voice/step?stage=menu&attempts=0&lang=fr';
    const ok = await request(a)
      .post(path)
      .set('X-Twilio-Signature', signRequest(authToken, `${publicUrl}${path}`, { ...form, Digits: '1' }))
      .type('form')
      .send({ ...form, Digits: '1' });
    expect(ok.status).toBe(200);
    const moved = await request(a)
      .post('/twilio/voice/step?stage=menu&attempts=2&lang=fr')
      .set('X-Twilio-Signature', signRequest(authToken, `${publicUrl}${path}`, { ...form, Digits: '1' }))
      .type('form')
      .send({ ...form, Digits: '1' });
    expect(moved.status).toBe(403);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('accepts the port variant Twilio sometimes signs', async () => {
    const { app: a } = app();
    const res = await request(a)
      .post('/twilio/voice')
      .set('X-Twilio-Signature', signRequest(authToken, 'https://desk.example.com:443/twilio/voice', form))
      .type('form')
      .send(form);
    expect(res.status).toBe(200);
  });

  it.each([
    ['missing', undefined],
    ['wrong', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='],
    ['signed with another token', signRequest('another-token', `${publicUrl}/twilio/voice`, form)],
  ])('answers 403 BAD_SIGNATURE and runs no handler when the signature is %s', async (_label, signature) => {
    const { app: a, handler } = app();
    let req = request(a).post('/twilio/voice').type('form');
    if (signature !== undefined) req = req.set('X-Twilio-Signature', signature);
    const res = await req.send(form);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: 'BAD_SIGNATURE' } });
    expect(handler).not.toHaveBeenCalled();
  });

  it('refuses a tampered body', async () => {
    const { app: a, handler } = app();
    const res = await request(a)
      .post('/twilio/voice')
      .set('X-Twilio-Signature', signRequest(authToken, `${publicUrl}/twilio/voice`, form))
      .type('form')
      .send({ ...form, From: '+33699999999' });
    expect(res.status).toBe(403);
    expect(handler).not.toHaveBeenCalled();
  });

  it('can be recognised in a route table', () => {
    expect(isTwilioSignatureMiddleware(verifyTwilioSignature({ authToken, publicUrl }))).toBe(true);
    expect(isTwilioSignatureMiddleware(() => undefined)).toBe(false);
  });

  it('builds the signed URL from the public base and the original URL', () => {
    expect(signedUrl('https://desk.example.com/', '/twilio/sms?x=1')).toBe('https://desk.example.com/twilio/sms?x=1');
  });
});
