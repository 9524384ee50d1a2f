import { describe, expect, it } from 'vitest';
import { closingOf, splitReply } from '../../../src/intake/email/quoted.js';
import { surveyDigit } from '../../../src/intake/email/survey.js';

describe('the sign-off: kept in the reply, known as its closing', () => {
  it('stays in the new text and is named as the closing', () => {
    const parts = splitReply(
      'The VPN works again.\n\nThanks,\nJane\n\nOn Tue, 3 Mar 2026 at 10:00, Helpdesk <h@acme.example> wrote:\n> Hello',
    );
    expect(parts.reply).toBe('The VPN works again.\n\nThanks,\nJane');
    expect(closingOf(parts.reply)).toBe('Thanks,\nJane');
    expect(parts.signature).toBe('');
  });

  it('a survey answer followed by a sign-off is still the score', () => {
    expect(surveyDigit('5\n\nThanks,\nJane\n\nOn Tue, 3 Mar 2026 at 10:00, Helpdesk <h@acme.example> wrote:\n> How did we do?')).toBe('5');
    expect(surveyDigit('4/5\n\nMit freundlichen Grüßen\nMax Mustermann')).toBe('4');
    expect(surveyDigit('5 printers are down\n\nThanks,\nJane')).toBeNull();
  });

  it('a sign-off followed by more message is no closing', () => {
    const text = ['The scanner jams.', '', 'Thanks,', ...Array.from({ length: 13 }, (_, i) => `Detail ${i + 1}: the tray is empty.`)].join(
      '\n',
    );
    expect(splitReply(text).reply).toBe(text);
    expect(closingOf(text)).toBe('');
  });
});
