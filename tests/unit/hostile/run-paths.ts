import { PATHS, SHAPES } from './text-paths.js';

/**
 * Child process of hostile-text.test.ts: runs every path on every shape and reports each time taken,
 * one message before each run (so that the parent knows which one hangs) and one after.
 */
const send = (message: unknown) => new Promise<void>((resolve) => process.send?.(message, () => resolve()));

for (const [shape, make] of Object.entries(SHAPES)) {
  const text = make();
  for (const [path, run] of Object.entries(PATHS)) {
    await send({ kind: 'start', path, shape });
    const started = performance.now();
    await run(text);
    await send({ kind: 'done', path, shape, ms: performance.now() - started });
  }
}
await send({ kind: 'end' });
process.disconnect();
