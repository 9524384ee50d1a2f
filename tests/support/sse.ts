import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** One Server-Sent Event as a browser's EventSource would dispatch it. */
interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** The `retry:` values received, in order. */
  retries: number[];
  /** Comments received (`: ping` → "ping"). */
  comments: string[];
  /** Every event received so far, in order. */
  events: SseEvent[];
  /** The body as far as it was read, for a failure's message. */
  text(): string;
  /** Settles when the server ends the stream (or it is closed). */
  ended: Promise<void>;
  close(): void;
}

/** Listens the app on a loopback port of its own: a stream needs a real socket, not supertest's buffered answer. */
export async function listenApp(app: Express): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Opens `url` as an EventSource would (GET, Accept: text/event-stream, the given headers) and parses
 * the body as it arrives, by the HTML standard's rules for text/event-stream.
 */
export async function openStream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const events: SseEvent[] = [];
  const retries: number[] = [];
  const comments: string[] = [];
  let body = '';
  let pending = '';
  let current: { id: string | undefined; event: string; data: string[] } = { id: undefined, event: '', data: [] };
  let lastId: string | undefined;

  const line = (text: string) => {
    if (text === '') {
      if (current.data.length > 0) events.push({ id: lastId, event: current.event || 'message', data: current.data.join('\n') });
      current = { id: undefined, event: '', data: [] };
      return;
    }
    if (text.startsWith(':')) return void comments.push(text.slice(1).trim());
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') current.data.push(value);
    else if (field === 'event') current.event = value;
    else if (field === 'id') lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) retries.push(Number(value));
  };

  const ended = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) {
        const text = decoder.decode(chunk as Uint8Array, { stream: true });
        body += text;
        pending += text;
        const lines = pending.split(/\r\n|\r|\n/);
        pending = lines.pop() ?? '';
        for (const l of lines) line(l);
      }
    } catch {
      // aborted by close()
    }
  })();

  return {
    status: res.status,
    headers: res.headers,
    retries,
    comments,
    events,
    text: () => body,
    ended,
    close: () => abort.abort(),
  };
}

interface TicketStreamEvent {
  eventId: number;
  ticketId: string;
  number: number;
  reference: string;
  type: string;
  at: string;
  status: string;
  priority: string;
  assigneeId: string | null;
}

/** The `ticket` events of a stream, their data parsed. */
export function ticketEvents(stream: SseStream): TicketStreamEvent[] {
  return stream.events.filter((e) => e.event === 'ticket').map((e) => JSON.parse(e.data) as TicketStreamEvent);
}
