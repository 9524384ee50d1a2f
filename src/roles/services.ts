import type { Sequelize } from 'sequelize';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { createMetrics } from '../metrics.js';
import { createLivePolicy } from '../rules/live-policy.js';
import { createRoutingProducer } from '../routing/producer.js';
import { createRulesBook } from '../rules/rules-book.js';
import { createRulesRepository } from '../store/rules-repository.js';
import { createStore } from '../store/index.js';
import type { TicketDeps } from '../tickets/deps.js';

/**
 * The services every role shares, wired from a database connection and the configuration: the
 * store, the routing rules bound to the desk's calendar, and the ticket use cases' dependencies.
 */
export function createServices(config: Config, sequelize: Sequelize, log: Logger) {
  const store = createStore(sequelize);
  // Routing rules as stored (settings, categories), read at start and again when changed.
  const rules = createRulesBook({
    repository: createRulesRepository(sequelize),
    timezone: config.timezone,
    businessHours: config.businessHours,
    log,
  });
  rules.poke();
  const policy = createLivePolicy(rules);
  // The routing queue's producer: connected by the web and worker roles, consumed by the worker.
  const routing = createRoutingProducer(log);
  const metrics = createMetrics();
  const tickets: TicketDeps = {
    store,
    policy,
    config,
    log,
    listeners: [
      ({ events, channel }) => {
        if (events.includes('created') && channel) metrics.ticketsOpened.inc({ channel });
      },
      routing.ticketChanged,
    ],
    technicianListeners: [routing.technicianChanged],
  };
  return { store, policy, metrics, tickets, rules, routing };
}

export type Services = ReturnType<typeof createServices>;
