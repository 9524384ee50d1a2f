import type { ConsoleDeps } from '../deps.js';
import type { ConsoleRoute } from '../route.js';
import { queueRoutes } from './queue.js';

/** Every page of the console, in one list the router mounts. */
export function consolePages(deps: ConsoleDeps): ConsoleRoute[] {
  return [...queueRoutes(deps)];
}
