import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Logger } from '../log.js';

export interface ChildSpec {
  /** For the log and error messages: `redis-server`, `postgres`. */
  name: string;
  bin: string;
  args: string[];
  cwd?: string;
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
  /** The line on stdout or stderr that says the server accepts connections. */
  ready: RegExp;
  timeoutMs: number;
}

/**
 * Spawns a server in a process group of its own and resolves once it prints `ready`.
 *
 * Its own group: Ctrl-C in a terminal and systemd's stop (`kill -TERM -- -PGID`) signal the whole
 * foreground group. A server in the gateway's group would stop at the same instant as the
 * gateway, under the feet of the connections the gateway is still closing ("Connection is closed",
 * a failed rollback). Apart, it stops when the gateway says, after its clients let go.
 */
export function spawnUntilReady(spec: ChildSpec, log: Logger): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(spec.bin, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
      ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
    });
    let output = '';
    let ready = false;
    const fail = (reason: string): void => {
      if (ready) return void log.error({ reason }, `${spec.name} failed`);
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${spec.name} did not start: ${reason}. Output: ${output.trim().split('\n').slice(-5).join(' | ')}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${spec.timeoutMs} ms`), spec.timeoutMs);
    // The pipes are read for the whole life of the child: a full pipe would block the server's logging.
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      if (ready) return void log.debug({ [spec.name]: text.trim() }, `${spec.name} output`);
      output += text;
      if (spec.ready.test(output)) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => {
      if (!ready) fail(`exited with ${signal ?? `code ${code}`}`);
    });
  });
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Sends `signal`, then SIGKILL after `graceMs`; resolves once the child has exited. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number, name: string, log: Logger): Promise<void> {
  if (hasExited(child)) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, graceMs, 'timeout').unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    log.warn({ pid: child.pid }, `${name} slow to stop; killing it`);
    child.kill('SIGKILL');
    await exited;
  }
}
