import { startSweep } from './sweep.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { isStorm, type SuggestionGroup } from '../rules/suggestions.js';
import type { Notification } from '../store/outbox-repository.js';
import type { TicketDeps } from './deps.js';
import { suggestionGroups } from './suggestions.js';

/**
 * Storms (#16): 3 tickets of one suggestion group within 10 minutes (rules/suggestions.ts isStorm)
 * alert the coordinator once, by email and by SMS, naming them, with where to declare an outage or
 * open a problem from them in one step.
 *
 * A sweep of the worker, every `everyMs`, rather than a step of opening a ticket: grouping reads the
 * window's open tickets, which an email backlog of a thousand tickets would otherwise read a
 * thousand times inside the intake's transactions; a storm told 15 seconds late is still early.
 * Once per group: storm_alerts is unique per group seed and storm_alert_tickets covers each ticket
 * once (store/suggestion-repository.ts), under a lock the sweeps of several workers take in turn;
 * the alert's outbox rows are written in the same transaction as that record.
 */

/** How often the worker looks. */
const EVERY_MS = 15_000;

export interface StormWatchContext {
  config: Pick<Config, 'publicUrl'>;
  log: Logger;
  services: { tickets: TicketDeps };
}

/** One look: alerts the storms not alerted before; returns how many it alerted. */
export async function alertStorms(deps: TicketDeps, link: string | null): Promise<number> {
  const storms = (await suggestionGroups(deps)).filter(isStorm);
  let alerted = 0;
  for (const group of storms) {
    const told = await deps.store.transaction(async (tx) => {
      await tx.suggestions.lockStormSweep();
      const outcome = await tx.suggestions.recordStorm({
        seedTicketId: group.seed.id,
        ticketIds: group.tickets.map((t) => t.id),
        numbers: group.tickets.map((t) => t.number),
      });
      if (outcome === 'known') return false;
      await tx.outbox.add(stormAlert(deps, group, link));
      return true;
    });
    if (told) alerted++;
  }
  return alerted;
}

/** The coordinator's email and, when the desk has their phone, SMS; keyed by the group's seed. */
function stormAlert(deps: TicketDeps, group: SuggestionGroup, link: string | null): Notification[] {
  const { email, phone } = deps.config.coordinator;
  const language = deps.config.language;
  const payload = {
    number: group.seed.number,
    subject: group.seed.subject,
    category: group.seed.category,
    tickets: group.tickets.map((t) => ({ number: t.number, subject: t.subject })),
    link,
  };
  const make = (channel: 'email' | 'sms', recipient: string): Notification => ({
    idempotencyKey: `storm:${group.seed.id}:${channel}:${recipient}`,
    ticketId: group.seed.id,
    kind: 'coordinator.storm',
    channel,
    recipient,
    language,
    payload,
  });
  return [...(email ? [make('email', email)] : []), ...(phone ? [make('sms', phone)] : [])];
}

/** The worker's sweep; `everyMs` for tests. */
export function startStormWatch(ctx: StormWatchContext, options: { everyMs?: number } = {}): () => Promise<void> {
  const deps = ctx.services.tickets;
  const log = ctx.log.child({ component: 'storms' });
  const link = `${ctx.config.publicUrl}/outages#suggestions`;
  return startSweep(log, {
    name: 'storm sweep',
    everyMs: options.everyMs ?? EVERY_MS,
    run: () => alertStorms(deps, link),
    done: { key: 'alerted', message: 'storm alerted to the coordinator' },
  });
}
