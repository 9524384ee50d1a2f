import { describe, expect, it } from 'vitest';
import { THANKS_MAX_CHARS, isThanks } from '../../../src/intake/twilio/thanks.js';

describe('a short thanks after a resolution', () => {
  it.each([
    'Merci, c’est réparé',
    "Merci, c'est réparé !",
    'ok merci',
    'OK MERCI BEAUCOUP',
    'Super, merci beaucoup pour votre aide',
    'ça marche, merci',
    'Ça remarche, merci à vous, bonne journée',
    'D’accord, merci',
    'Parfait 👍',
    'nickel merci',
    'thanks, fixed',
    'Thank you so much!',
    'thx',
    'It works now, thanks a lot',
    'all good, cheers',
    'Great, problem solved. Thanks for the quick fix!',
    'ok',
    '👍',
    '🙏🙏',
  ])('takes %j for an acknowledgement', (text) => {
    expect(isThanks(text)).toBe(true);
  });

  it.each([
    'Merci mais ça ne marche toujours pas',
    'ça marche pas',
    'ça ne marche plus',
    'still not working, thanks',
    'thanks, but the printer jams again',
    'Is it fixed?',
    'merci ?',
    'Mon écran est noir',
    'REOPEN',
    'problem again',
    'done',
    '',
    '   ',
    '5',
    'fix it',
    'Thanks. Also my mouse is broken',
  ])('takes %j for something else', (text) => {
    expect(isThanks(text)).toBe(false);
  });

  it('reads no further than one SMS', () => {
    expect(isThanks(`${'merci '.repeat(Math.ceil(THANKS_MAX_CHARS / 6) + 1)}`)).toBe(false);
  });

  it('is linear on long hostile text', () => {
    for (const hostile of ['merci '.repeat(200_000), 'a'.repeat(1_000_000), "c'".repeat(500_000), '\u0301'.repeat(1_000_000)]) {
      const started = performance.now();
      expect(isThanks(hostile)).toBe(false);
      expect(performance.now() - started).toBeLessThan(50);
    }
  });
});
