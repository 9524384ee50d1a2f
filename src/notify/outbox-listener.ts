import pg from 'pg';
import type { Sequelize } from 'sequelize';
import type { Logger } from '../log.js';

/**
 * The poke: a connection of its own that LISTENs on `helpdesk_outbox`, which the outbox's insert
 * trigger NOTIFYs at commit (migration 020). Whichever process wrote the rows (web, mail intake, a
 * routing timer), the worker hears of them within milliseconds. Best effort: while the connection
 * is down the periodic scan carries the load, and on reconnecting the worker scans once.
 */

export const OUTBOX_CHANNEL = 'helpdesk_outbox';

export interface OutboxListener {
  stop(): Promise<void>;
  listening(): boolean;
}

const RECONNECT_MS = 2_000;

export function listenForOutbox(sequelize: Sequelize, log: Logger, onNotify: () => void, onReconnect: () => void): OutboxListener {
  const c = sequelize.config;
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
    next.on('notification', () => onNotify());
    try {
      await next.connect();
      await next.query(`LISTEN ${OUTBOX_CHANNEL}`);
      up = true;
      // Rows committed while we were not listening.
      onReconnect();
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'outbox listener could not connect');
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
