import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

const HOST = '127.0.0.1';

/** True when nothing listens on the port at the moment (a later bind can still lose a race). */
export function isPortFree(port: number, host = HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * True when an HTTP server could listen on the port on every interface, as `server.listen(port)`
 * does: the gateway checks before it starts anything, so that a taken PORT fails in a second.
 */
export function canListenEverywhere(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the kernel considers free right now. */
export function freePort(host = HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port found'))));
    });
  });
}

/**
 * The port saved in `file` when it is still free, else a new free one (then saved), so that a
 * service's URL stays the same across restarts whenever possible.
 */
export async function persistentPort(file: string, host = HOST): Promise<{ port: number; changed: boolean }> {
  const saved = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(saved) && saved > 0 && saved < 65536 && (await isPortFree(saved, host))) {
    return { port: saved, changed: false };
  }
  const port = await freePort(host);
  await savePort(file, port);
  return { port, changed: Number.isInteger(saved) };
}

export async function savePort(file: string, port: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${port}\n`);
}

/**
 * Starts a server on `port`; when the bind fails because someone took the port between our check
 * and the server's bind, once more on the port `another()` gives. A fixed port is never changed.
 */
export async function startOnPort<T>(
  spawnOn: (port: number) => Promise<T>,
  port: number,
  { fixed, another }: { fixed: boolean; another: () => Promise<number> },
): Promise<{ server: T; port: number }> {
  try {
    return { server: await spawnOn(port), port };
  } catch (err) {
    if (fixed || (await isPortFree(port))) throw err;
    const next = await another();
    return { server: await spawnOn(next), port: next };
  }
}
