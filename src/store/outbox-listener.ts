import type { Logger } from '../log.js';
import type { Db } from './handle.js';
import { listenOn, type Listening } from './pg-listen.js';

/**
 * The poke: a connection of its own that LISTENs on `helpdesk_outbox`, which the outbox's insert
 * trigger NOTIFYs at commit (migration 020). Whichever process wrote the rows (web, mail intake, a
 * routing timer), the worker hears of them within milliseconds. Best effort: while the connection
 * is down the periodic scan carries the load, and on reconnecting the worker scans once.
 */

const OUTBOX_CHANNEL = 'helpdesk_outbox';

export type OutboxListener = Listening;

/** What the listener tells its owner: rows were committed; the connection is back (rows may have been missed). */
export interface OutboxListenerHandlers {
  onNotify(): void;
  onReconnect(): void;
}

export function createOutboxListening(db: Db) {
  return {
    /** Listens until stopped, on a connection outside the pool (a LISTEN holds its connection). */
    listen(log: Logger, handlers: OutboxListenerHandlers): OutboxListener {
      return listenOn(
        db,
        {
          channel: OUTBOX_CHANNEL,
          applicationName: 'helpdesk-notify-listen',
          name: 'outbox listener',
          whileDown: 'the periodic scan covers until it is back',
        },
        log,
        { onNotify: () => handlers.onNotify(), onReconnect: () => handlers.onReconnect() },
      );
    },
  };
}
