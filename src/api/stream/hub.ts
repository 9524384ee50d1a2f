import type { Logger } from '../../log.js';
import type { Metrics } from '../../metrics.js';
import type { Listening } from '../../store/pg-listen.js';
import type { FeedEvent, TicketEventFeed } from '../../store/ticket-event-feed.js';
import type { Principal } from '../../store/token-repository.js';

/**
 * The live stream's hub: one listening connection per process (store/ticket-event-feed.ts), the
 * ids heard within a few milliseconds read in one query, and each event handed to every connected
 * client allowed to see it. Notifications come in commit order, and so do the events each client
 * is handed.
 *
 * A client that gives a Last-Event-ID gets what it missed first, with neither a gap nor a repeat
 * at the seam: it joins (live events are held for it), the events after its id are read and
 * written, then the held ones that the replay did not already carry. An event committed before the
 * replay's read is in the replay; one committed after it is heard, and held.
 */

export interface StreamSink {
  /** The client has joined: from now on it misses nothing (the response's head goes out now, not before). */
  open(): void;
  /** Writes one event; false when the client cannot keep up (it is then let go: it comes back with its Last-Event-ID). */
  event(event: FeedEvent): boolean;
  /** A comment that keeps proxies from closing an idle stream. */
  ping(): void;
  end(): void;
}

export interface StreamHub {
  /** A client's stream: live events, after the ones since `lastEventId` when it gives one. Returns how to leave. */
  subscribe(principal: Principal, lastEventId: number | null, sink: StreamSink): () => void;
  close(): Promise<void>;
}

interface StreamHubDeps {
  feed: TicketEventFeed;
  log: Logger;
  metrics: Pick<Metrics, 'streamClients'>;
}

/** Notifications that arrive within this long are read in one query. */
const BATCH_MS = 5;
/** At most this many missed events are replayed (the newest ones); the console refreshes whole regions anyway. */
const REPLAY_LIMIT = 1_000;
const HEARTBEAT_MS = 20_000;
/** How long a new client waits for the feed's first listening connection to be up before it joins anyway (database down). */
const READY_WAIT_MS = 3_000;
/** After a read fails (the database went away), it is tried again this much later. */
const RETRY_MS = 1_000;
/** Ids already handed out, remembered so that a catch-up racing the notifications repeats none. */
const RECENT_IDS = 4_096;

interface Client {
  principal: Principal;
  sink: StreamSink;
  /** Live events held while the replay is read; null once live. */
  held: FeedEvent[] | null;
}

/** A coordinator sees every event; a technician those of the tickets assigned to them, and those that name them. */
function mayWatch(principal: Principal, event: FeedEvent): boolean {
  if (principal.role === 'coordinator') return true;
  const me = principal.technicianId;
  return me !== null && (event.assigneeId === me || event.named.includes(me));
}

export function createStreamHub({ feed, log, metrics }: StreamHubDeps): StreamHub {
  const clients = new Set<Client>();
  const recent = new Set<number>();
  /** Ids heard and not yet handed out, in commit order. */
  let queued: number[] = [];
  /** The newest id heard of; undefined until the feed first listens. */
  let horizon: number | undefined;
  let catchUp = false;
  let listening: Listening | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  let closed = false;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const count = () => metrics.streamClients.set(clients.size);

  const letGo = (client: Client) => {
    if (!clients.delete(client)) return;
    count();
    client.sink.end();
  };

  const remember = (id: number) => {
    recent.add(id);
    if (recent.size > RECENT_IDS) {
      const oldest = recent.values().next();
      if (!oldest.done) recent.delete(oldest.value);
    }
  };

  const fanOut = (events: readonly FeedEvent[]) => {
    for (const event of events) {
      remember(event.eventId);
      horizon = Math.max(horizon ?? 0, event.eventId);
    }
    for (const client of clients) {
      for (const event of events) {
        if (!mayWatch(client.principal, event)) continue;
        if (client.held) client.held.push(event);
        else if (!client.sink.event(event)) {
          letGo(client);
          break;
        }
      }
    }
  };

  const flush = async () => {
    if (closed) return;
    if (catchUp) {
      catchUp = false;
      try {
        // Listening for the first time: what was committed before it is nobody's news (a client that missed it replays it).
        if (horizon === undefined) horizon = queued.reduce((max, id) => Math.max(max, id), await feed.latestId());
        else fanOut(await feed.eventsAfter(horizon, REPLAY_LIMIT));
        markReady();
      } catch (err) {
        catchUp = true;
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'live stream: catching up failed; trying again');
        schedule(RETRY_MS);
        return;
      }
    }
    const ids = [...new Set(queued)].filter((id) => !recent.has(id));
    queued = [];
    if (ids.length === 0) return;
    try {
      const order = new Map(ids.map((id, i) => [id, i]));
      const events = await feed.eventsByIds(ids);
      events.sort((a, b) => (order.get(a.eventId) ?? 0) - (order.get(b.eventId) ?? 0));
      fanOut(events);
    } catch (err) {
      queued = [...ids, ...queued];
      log.warn(
        { err: err instanceof Error ? err.message : String(err), events: ids.length },
        'live stream: reading events failed; trying again',
      );
      schedule(RETRY_MS);
    }
  };

  // One flush at a time, each after the one before: events leave in the order they were heard.
  function schedule(delayMs: number) {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      flushing = flushing.then(flush);
    }, delayMs);
  }

  const start = () => {
    if (listening || closed) return;
    listening = feed.listen(log, {
      onEvents: (ids) => {
        queued.push(...ids);
        schedule(BATCH_MS);
      },
      onReconnect: () => {
        catchUp = true;
        schedule(0);
      },
    });
    heartbeat = setInterval(() => {
      for (const client of clients) client.sink.ping();
    }, HEARTBEAT_MS);
    heartbeat.unref();
  };

  const replay = async (client: Client, since: number) => {
    let missed: FeedEvent[];
    try {
      missed = await feed.eventsAfter(since, REPLAY_LIMIT);
    } catch (err) {
      // Ended rather than left open without its replay: the browser comes back with the same id.
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'live stream: replay failed; the client will reconnect');
      letGo(client);
      return;
    }
    if (!clients.has(client)) return;
    const sent = new Set<number>();
    for (const event of missed) {
      sent.add(event.eventId);
      if (mayWatch(client.principal, event) && !client.sink.event(event)) return letGo(client);
    }
    const held = client.held ?? [];
    client.held = null;
    for (const event of held) {
      if (!sent.has(event.eventId) && !client.sink.event(event)) return letGo(client);
    }
  };

  return {
    subscribe(principal, lastEventId, sink) {
      const client: Client = { principal, sink, held: lastEventId === null ? null : [] };
      let cancelled = false;
      if (closed) {
        sink.end();
        return () => undefined;
      }
      start();
      void (async () => {
        let waited: NodeJS.Timeout | undefined;
        await Promise.race([ready, new Promise<void>((resolve) => (waited = setTimeout(resolve, READY_WAIT_MS)))]);
        clearTimeout(waited);
        if (cancelled) return;
        if (closed) return sink.end();
        clients.add(client);
        count();
        sink.open();
        if (lastEventId !== null) await replay(client, lastEventId);
      })().catch((err: unknown) => {
        log.error({ err }, 'live stream: a client could not start');
        letGo(client);
      });
      return () => {
        cancelled = true;
        if (clients.delete(client)) count();
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      if (heartbeat) clearInterval(heartbeat);
      for (const client of [...clients]) letGo(client);
      await listening?.stop();
      await flushing;
    },
  };
}
