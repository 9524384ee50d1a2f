import pg from 'pg';
import type { Logger } from '../log.js';
import type { Db } from './handle.js';
import { connectionOptions } from './own-connection.js';

/**
 * A LISTEN on a connection of its own, outside the pool (a LISTEN holds its connection), that comes
 * back by itself: when the connection is lost (a database restart ends it with 57P01) it is opened
 * again every RECONNECT_MS until it is up. A NOTIFY sent while nobody listened is lost, so the
 * owner hears `onReconnect` after every (re)connection and catches up from the tables.
 */

export interface Listening {
  stop(): Promise<void>;
  listening(): boolean;
}

interface ListenHandlers {
  /** A notification, with its payload ('' when the sender gave none). */
  onNotify(payload: string): void;
  /** The LISTEN is in place (first time or again): what was committed meanwhile went unheard. */
  onReconnect(): void;
}

interface ListenSpec {
  channel: string;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  /** Who listens, for the log: "outbox listener". */
  name: string;
  /** What covers while the connection is down, for the log. */
  whileDown: string;
}

const RECONNECT_MS = 2_000;

/** Listens until stopped. */
export function listenOn(db: Db, spec: ListenSpec, log: Logger, handlers: ListenHandlers): Listening {
  let client: pg.Client | undefined;
  let stopped = false;
  let up = false;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    if (stopped) return;
    // keepAlive: a socket that died without a word (a dropped network path) is noticed by TCP.
    const next = new pg.Client({ ...connectionOptions(db), keepAlive: true, application_name: spec.applicationName });
    client = next;
    const retry = () => {
      up = false;
      if (stopped || client !== next) return;
      client = undefined;
      next.removeAllListeners();
      next.on('error', () => undefined);
      next.end().catch(() => undefined);
      timer = setTimeout(() => void connect(), RECONNECT_MS);
    };
    next.on('error', (err) => {
      log.warn({ err: err.message }, `${spec.name} connection lost; ${spec.whileDown}`);
      retry();
    });
    next.on('end', retry);
    next.on('notification', (message) => handlers.onNotify(message.payload ?? ''));
    try {
      await next.connect();
      await next.query(`LISTEN ${next.escapeIdentifier(spec.channel)}`);
      if (client !== next) return;
      up = true;
      handlers.onReconnect();
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, `${spec.name} could not connect`);
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
}
