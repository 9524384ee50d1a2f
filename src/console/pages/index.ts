import type { ConsoleDeps } from '../deps.js';
import type { ConsoleRoute } from '../route.js';
import { queueRoutes } from './queue.js';
import { ticketRoutes } from './ticket.js';
import { outagePages } from './outages.js';
import { quarantinePages } from './quarantine.js';
import { rulePages } from './rules.js';
import { technicianPages } from './technicians.js';
import { statsPages } from './stats.js';

/** Every page of the console, in one list the router mounts. */
export function consolePages(deps: ConsoleDeps): ConsoleRoute[] {
  return [
    ...queueRoutes(deps),
    ...ticketRoutes(deps),
    ...technicianPages(deps),
    ...outagePages(deps),
    ...quarantinePages(deps),
    ...rulePages(deps),
    ...statsPages(deps),
  ];
}
