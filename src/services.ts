import type { Sequelize } from 'sequelize';
import type { Config } from './config/index.js';
import type { Logger } from './log.js';
import { createMetrics } from './metrics.js';
import { createTicketPolicy } from './routing/policy.js';
import { createStore } from './store/index.js';
import type { TicketDeps } from './tickets/deps.js';

/**
 * The services every role shares, wired from a database connection and the configuration: the
 * store, the routing rules bound to the desk's calendar, and the ticket use cases' dependencies.
 */
export function createServices(config: Config, sequelize: Sequelize, log: Logger) {
  const store = createStore(sequelize);
  const policy = createTicketPolicy({
    calendar: { timezone: config.timezone, hours: config.businessHours, holidays: [] },
  });
  const metrics = createMetrics();
  const tickets: TicketDeps = {
    store,
    policy,
    config,
    log,
    listeners: [
      ({ events }) => {
        if (events.includes('created')) metrics.ticketsOpened.inc({ channel: 'all' });
      },
    ],
  };
  return { store, policy, metrics, tickets };
}

export type Services = ReturnType<typeof createServices>;
