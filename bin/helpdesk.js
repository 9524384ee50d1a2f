#!/usr/bin/env node
// Runs the JavaScript that `npm ci` compiled into dist/ (the `prepare` script): no compiler at
// start. In a checkout whose sources changed since that build, or that has none, it runs the
// TypeScript sources through tsx instead, so that what runs is always what is on disk.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(file) : statSync(file).mtimeMs);
  }
  return newest;
}

function builtAt() {
  try {
    return statSync(`${root}dist/cli.js`).mtimeMs;
  } catch {
    return undefined;
  }
}

const built = builtAt();
let cli;
if (built !== undefined && built >= newestMtime(`${root}src`)) {
  cli = await import('../dist/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli.ts');
}
await cli.main(process.argv.slice(2));
