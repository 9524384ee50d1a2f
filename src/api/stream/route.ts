import type { NextFunction, Request, Response } from 'express';
import type { Principal } from '../../store/token-repository.js';
import type { StreamHub, StreamSink } from './hub.js';
import { eventFrame, lastEventId, OPENING, PING } from './wire.js';

/** What a client may leave unread before it is let go (it reconnects and replays from its Last-Event-ID). */
const MAX_UNREAD_BYTES = 1 << 20;

/**
 * `GET /api/stream`, behind the API's authentication. Every write goes out at once: no compression
 * here, and `X-Accel-Buffering: no` tells nginx not to buffer the response either.
 */
export function streamRoute(hub: StreamHub) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const principal = res.locals.principal as Principal;
    res.locals.routePattern = '/api/stream';
    let since: number | null;
    try {
      since = lastEventId(req.get('last-event-id'), req.query.lastEventId);
    } catch (err) {
      return next(err);
    }
    // The head goes out once the client has joined the hub: an EventSource that says it is open misses nothing after.
    const open = () => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache',
        'X-Accel-Buffering': 'no',
        // A stream ends when the server stops or lets a slow client go: its connection is of no further use.
        Connection: 'close',
      });
      res.write(OPENING);
    };
    const write = (chunk: string): boolean => {
      if (res.writableEnded || res.destroyed) return true;
      res.write(chunk);
      return res.writableLength <= MAX_UNREAD_BYTES;
    };
    const sink: StreamSink = {
      open,
      event: (event) => write(eventFrame(event)),
      ping: () => void write(PING),
      // Ended with its head and `retry:` (a server stopping): the browser comes back, to this process or another.
      end: () => {
        open();
        res.end();
      },
    };
    const leave = hub.subscribe(principal, since, sink);
    res.on('close', leave);
  };
}
