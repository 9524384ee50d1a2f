import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.js';
import { stopChild } from './child.js';

export interface SuperviseOptions {
  /** For the log: `redis-server`, `postgres`. */
  name: string;
  log: Logger;
  /** Starts the server again, on the same port and files; rejects when it cannot. */
  restart: () => Promise<ChildProcess>;
  /** The signal of a clean stop (Postgres: SIGINT, its fast shutdown). */
  stopSignal: NodeJS.Signals;
  /** Called once when the server cannot be brought back within `healWithinMs`. */
  onGiveUp: (err: Error) => void;
  healWithinMs?: number;
}

export interface Supervised {
  stop(): Promise<void>;
}

/** Under the 30 s in which a fault must heal or stop the gateway, with room for clients to reconnect. */
const HEAL_WITHIN_MS = 20_000;

/**
 * Keeps a server the gateway started running: when it dies without being asked (OOM killer, a
 * `kill -9`), it is started again on the same port, so that the clients' own reconnection finds
 * it; when that fails for `healWithinMs`, `onGiveUp` says so and the gateway exits for its
 * supervisor rather than sit half-alive.
 */
export function supervise(first: ChildProcess, opts: SuperviseOptions): Supervised {
  const { name, log } = opts;
  const healWithinMs = opts.healWithinMs ?? HEAL_WITHIN_MS;
  let child = first;
  let stopping = false;
  let restarting: Promise<void> | undefined;

  const restart = async (): Promise<void> => {
    const deadline = Date.now() + healWithinMs;
    let delay = 200;
    let lastError: unknown;
    while (!stopping) {
      try {
        const next = await opts.restart();
        if (stopping) return await stopChild(next, opts.stopSignal, 10_000, name, log);
        child = next;
        watch(next);
        log.warn({ pid: next.pid }, `${name} restarted`);
        return;
      } catch (err) {
        lastError = err;
      }
      if (Date.now() + delay > deadline) break;
      await sleep(delay);
      delay = Math.min(delay * 2, 2_000);
    }
    if (stopping) return;
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    opts.onGiveUp(new Error(`${name} could not be restarted within ${healWithinMs / 1000} s: ${reason}`));
  };
  const watch = (watched: ChildProcess): void => {
    watched.once('exit', (code, signal) => {
      if (stopping || watched !== child) return;
      log.error({ pid: watched.pid, code, signal }, `${name} exited unexpectedly; restarting it`);
      restarting = restart().finally(() => {
        restarting = undefined;
      });
    });
  };
  watch(child);

  // Best effort for a gateway that dies by an exception: the server is in a process group of its
  // own, so nothing else would stop it.
  const onExit = (): void => void child.kill(opts.stopSignal);
  process.on('exit', onExit);
  let stopped: Promise<void> | undefined;
  return {
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        process.removeListener('exit', onExit);
        await restarting;
        await stopChild(child, opts.stopSignal, 15_000, name, log);
      })()),
  };
}
