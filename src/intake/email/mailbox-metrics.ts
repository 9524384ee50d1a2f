import { Counter, Gauge, type Registry } from 'prom-client';

export const READER_STATES = ['standby', 'connecting', 'fetching', 'idle', 'polling', 'reconnecting', 'stopped'] as const;
export type ReaderState = (typeof READER_STATES)[number];

/**
 * The mail intake's Prometheus series, on the gateway's registry. Several readers (and, in tests,
 * several starts on one registry) share them by label, so each is registered once.
 */
export function mailboxMetrics(registry: Registry) {
  const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;
  return {
    /** 1 for the reader's current state, 0 for the others (the Prometheus "enum" idiom). */
    state:
      existing<Gauge<'mailbox' | 'state'>>('helpdesk_mailbox_state') ??
      new Gauge({
        name: 'helpdesk_mailbox_state',
        help: 'Mail reader state per mailbox: 1 for the current one (standby, connecting, fetching, idle, polling, reconnecting, stopped)',
        labelNames: ['mailbox', 'state'] as const,
        registers: [registry],
      }),
    backlog:
      existing<Gauge<'mailbox'>>('helpdesk_mailbox_backlog') ??
      new Gauge({
        name: 'helpdesk_mailbox_backlog',
        help: 'Messages in the mailbox past the cursor, not processed yet',
        labelNames: ['mailbox'] as const,
        registers: [registry],
      }),
    messages:
      existing<Counter<'mailbox' | 'outcome'>>('helpdesk_mailbox_messages_total') ??
      new Counter({
        name: 'helpdesk_mailbox_messages_total',
        help: 'Emails processed, by outcome (ticket, reply, auto-reply, bounce, duplicate, dropped, quarantined, …)',
        labelNames: ['mailbox', 'outcome'] as const,
        registers: [registry],
      }),
    reconnects:
      existing<Counter<'mailbox'>>('helpdesk_mailbox_reconnects_total') ??
      new Counter({
        name: 'helpdesk_mailbox_reconnects_total',
        help: 'IMAP sessions that ended in an error and were started again',
        labelNames: ['mailbox'] as const,
        registers: [registry],
      }),
  };
}

export type MailboxMetrics = ReturnType<typeof mailboxMetrics>;
