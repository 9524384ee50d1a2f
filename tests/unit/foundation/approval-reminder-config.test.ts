import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { parseDuration } from '../../../src/config/duration.js';

describe('HELPDESK_APPROVAL_REMINDER', () => {
  it('defaults to a day', () => {
    expect(loadConfig({}).approvalReminderMs).toBe(24 * 3_600_000);
  });

  it('reads the durations people write', () => {
    expect(loadConfig({ HELPDESK_APPROVAL_REMINDER: '90m' }).approvalReminderMs).toBe(90 * 60_000);
    expect(parseDuration('2d')).toBe(2 * 86_400_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1h 30m')).toBe(5_400_000);
    expect(parseDuration('45s')).toBe(45_000);
  });

  it.each(['24', 'tomorrow', '0h', '1h30', '-1h'])('refuses %o with one line naming the variable', (value) => {
    expect(() => loadConfig({ HELPDESK_APPROVAL_REMINDER: value })).toThrow(
      new ConfigError('HELPDESK_APPROVAL_REMINDER', 'expected a duration such as 24h, 90m or 2d'),
    );
  });
});
