import type { ParseLimits } from './parse.js';

/**
 * The email intake's limits and timings, with the defaults a desk runs on. Tests and benchmarks
 * pass overrides (shorter timers); a deployment changes them here.
 */
export interface EmailIntakeSettings {
  limits: ParseLimits;
  /**
   * A message larger than this (its RFC822.SIZE) is not downloaded whole: its header section alone
   * threads it or opens its ticket, and its sender is told. Well above `maxMessageBytes`, so that
   * base64 (4/3) and the text still fit under it.
   */
  maxRawBytes: number;
  /** A reply to a ticket closed longer ago than this opens a new ticket linked to it. */
  reopenWindowDays: number;
  /**
   * Storm caps. Past `senderMessages` inbound emails from one address in `senderWindowMinutes`,
   * its mail is still recorded, on its latest ticket, but opens no ticket and notifies nobody; past
   * `ticketMessages` inbound emails on one ticket in `ticketWindowMinutes`, the same.
   */
  caps: { senderMessages: number; senderWindowMinutes: number; ticketMessages: number; ticketWindowMinutes: number };
  /** Messages downloaded per FETCH while catching up a backlog, and bytes at most per batch. */
  batch: { messages: number; bytes: number };
  /**
   * Conversations held back from a batch's first round (they depend on themselves), stored side by side
   * in units that share no ticket (see receive.ts, lanes.ts); 1 stores one at a time.
   */
  lanes: number;
  /** Reconnection after an error: exponential from `baseMs` to `maxMs`, with jitter. */
  reconnect: { baseMs: number; maxMs: number };
  /** A standby reader asks for the mailbox's lock this often (with jitter). */
  lockRetryMs: number;
  /**
   * IDLE is broken and re-issued this often: RFC 2177 §3 lets servers drop an IDLE after 30 minutes,
   * NAT and firewalls forget silent connections sooner, and it must stay under the client's own
   * socket timeout (5 minutes), which would otherwise end IDLE without starting it again.
   */
  idleRestartMs: number;
  /** A message that keeps failing with "transient" errors is quarantined after this many tries. */
  maxAttempts: number;
}

export const DEFAULT_EMAIL_SETTINGS: EmailIntakeSettings = {
  limits: { maxAttachmentBytes: 10 * 1024 * 1024, maxMessageBytes: 25 * 1024 * 1024 },
  maxRawBytes: 48 * 1024 * 1024,
  reopenWindowDays: 30,
  caps: { senderMessages: 20, senderWindowMinutes: 10, ticketMessages: 50, ticketWindowMinutes: 60 },
  batch: { messages: 250, bytes: 16 * 1024 * 1024 },
  lanes: 4,
  reconnect: { baseMs: 1_000, maxMs: 60_000 },
  lockRetryMs: 5_000,
  idleRestartMs: 4 * 60_000,
  maxAttempts: 5,
};

export type EmailSettingsOverrides = Partial<Omit<EmailIntakeSettings, 'limits' | 'caps' | 'batch' | 'reconnect'>> & {
  limits?: Partial<ParseLimits>;
  caps?: Partial<EmailIntakeSettings['caps']>;
  batch?: Partial<EmailIntakeSettings['batch']>;
  reconnect?: Partial<EmailIntakeSettings['reconnect']>;
};

export function emailSettings(overrides: EmailSettingsOverrides = {}): EmailIntakeSettings {
  const d = DEFAULT_EMAIL_SETTINGS;
  return {
    ...d,
    ...overrides,
    limits: { ...d.limits, ...overrides.limits },
    caps: { ...d.caps, ...overrides.caps },
    batch: { ...d.batch, ...overrides.batch },
    reconnect: { ...d.reconnect, ...overrides.reconnect },
  };
}
