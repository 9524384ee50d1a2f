import pg from 'pg';
import type { Logger } from '../log.js';
import type { Db } from './handle.js';

/**
 * The poke: a connection of its own that LISTENs on `helpdesk_outbox`, which the outbox's insert
 * trigger NOTIFYs at commit (migration 020). Whichever process wrote the rows (web, mail intake, a
 * routing timer), the worker hears of them within milliseconds. Best effort: while the connection
 * is down the periodic scan carries the load, and on reconnecting the worker scans once.
 */

const OUTBOX_CHANNEL = 'helpdesk_outbox';

export interface OutboxListener {
  stop(): Promise<void>;
  listening(): boolean;
}

/** What the listener tells its owner: rows were committed; the connection is back (rows may have been missed). */
export interface OutboxListenerHandlers {
  onNotify(): void;
  onReconnect(): void;
}

const RECONNECT_MS = 2_000;

export function createOutboxListening(db: Db) {
  return {
    /** Listens until stopped, on a connection outside the pool (a LISTEN holds its connection). */
    listen(log: Logger, handlers: OutboxListenerHandlers): OutboxListener {
      const c = db.sequelize.config;
      let client: pg.Client | undefined;
      let stopped = false;
      let up = false;
      let timer: NodeJS.Timeout | undefined;

      const connect = async (): Promise<void> => {
        if (stopped) return;
        const next = new pg.Client({
          host: c.host,
          port: c.port ? Number(c.port) : undefined,
          database: c.database,
          user: c.username,
          password: c.password ?? undefined,
          application_name: 'helpdesk-notify-listen',
        });
        client = next;
        const retry = () => {
          up = false;
          if (stopped || client !== next) return;
          client = undefined;
          next.removeAllListeners();
          next.end().catch(() => undefined);
          timer = setTimeout(() => void connect(), RECONNECT_MS);
        };
        next.on('error', (err) => {
          log.warn({ err: err.message }, 'outbox listener connection lost; the periodic scan covers until it is back');
          retry();
        });
        next.on('end', retry);
        next.on('notification', () => handlers.onNotify());
        try {
          await next.connect();
          await next.query(`LISTEN ${OUTBOX_CHANNEL}`);
          up = true;
          // Rows committed while we were not listening.
          handlers.onReconnect();
        } catch (err) {
          log.warn({ err: err instanceof Error ? err.message : String(err) }, 'outbox listener could not connect');
          retry();
        }
      };
      void connect();

      return {
        listening: () => up,
        async stop() {
          stopped = true;
          if (timer) clearTimeout(timer);
          const current = client;
          client = undefined;
          up = false;
          if (current) {
            current.removeAllListeners();
            current.on('error', () => undefined);
            await current.end().catch(() => undefined);
          }
        },
      };
    },
  };
}
