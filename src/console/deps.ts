import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import type { TicketDeps } from '../tickets/deps.js';

/** What every console page may use: the same store and ticket use cases as the REST API. */
export interface ConsoleDeps {
  store: Store;
  tickets: TicketDeps;
  /** `twilio`: its auth token makes the offer links' codes (pages/offer.ts). */
  config: Pick<Config, 'apiToken' | 'publicUrl' | 'language' | 'timezone' | 'businessHours' | 'twilio'>;
  log: Logger;
}
