import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import { createMetrics } from '../metrics.js';
import { createLivePolicy } from '../rules/live-policy.js';
import { createRoutingProducer } from '../routing/producer.js';
import { createRulesBook } from '../rules/rules-book.js';
import type { OpenStore } from '../store/index.js';
import type { TicketDeps } from '../tickets/deps.js';
import { createOAuthTokens } from './oauth.js';

/**
 * The services every role shares, wired from the process's store and the configuration: the store,
 * the routing rules bound to the desk's calendar, and the ticket use cases' dependencies.
 */
export function createServices(config: Config, store: OpenStore, log: Logger) {
  // Routing rules as stored (settings, categories), read at start and again when changed.
  const rules = createRulesBook({
    repository: store.rules,
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
  // Access tokens of `auth=oauth2` mailboxes and SMTP, shared by the mail readers and the notifier.
  const oauth = createOAuthTokens(config, store.oauthTokens, metrics.registry, log);
  return { store, policy, metrics, tickets, rules, routing, oauth };
}

export type Services = ReturnType<typeof createServices>;
