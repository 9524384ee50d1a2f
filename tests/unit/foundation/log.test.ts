import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger({ level: 'info', destination }), text: () => lines.join('') };
}

describe('logs', () => {
  it('keep the shape of an event but never a phone number, an address or what someone wrote', () => {
    const { log, text } = capture();
    log.info({ ticket: 1042, phone: '+33612345678', requester: { email: 'alice@example.com' }, body: 'my password is hunter2' }, 'sms in');
    log.info({ twilio: { From: '+33612345678', Body: 'DONE 1042 fixed' } }, 'webhook');
    log.warn('could not reach alice@example.com at +33 6 12 34 56 78');
    const out = text();
    expect(out).toContain('"ticket":1042');
    expect(out).toContain('sms in');
    for (const secret of ['+33612345678', 'alice@example.com', 'hunter2', 'DONE 1042 fixed', '12 34 56 78']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[redacted]');
  });
});
