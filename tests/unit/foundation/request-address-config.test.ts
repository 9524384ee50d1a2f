import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';

describe('HELPDESK_REQUEST_ADDRESS', () => {
  it('is off unless set, and read lower-case (addresses are matched without case)', () => {
    expect(loadConfig({}).requestAddress).toBeUndefined();
    expect(loadConfig({ HELPDESK_REQUEST_ADDRESS: 'Requests@Desk.Example' }).requestAddress).toBe('requests@desk.example');
  });

  it('refuses what is no address, naming the variable', () => {
    expect(() => loadConfig({ HELPDESK_REQUEST_ADDRESS: 'requests' })).toThrow(
      new ConfigError('HELPDESK_REQUEST_ADDRESS', 'expected an email address'),
    );
  });
});
