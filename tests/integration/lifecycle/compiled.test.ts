import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// bin/helpdesk.js runs dist/ (compiled by `npm ci`'s prepare) when it is at least as new as src/,
// and the sources through tsx otherwise. Tried on a project of two one-line CLIs, so that the
// choice shows in what they print, and no compiler runs in the test.

const run = promisify(execFile);
let root = '';

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

const cli = (says: string) => `export async function main(args) { process.stdout.write('${says} ' + args.join(' ')); }\n`;

async function helpdesk(...args: string[]): Promise<string> {
  return (await run(process.execPath, [path.join(root, 'bin/helpdesk.js'), ...args])).stdout;
}

describe('bin/helpdesk.js', () => {
  it('runs the compiled JavaScript when it is up to date, and the sources when they changed since', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'helpdesk-bin-'));
    await Promise.all(['bin', 'src', 'dist'].map((dir) => mkdir(path.join(root, dir))));
    await copyFile(path.resolve('bin/helpdesk.js'), path.join(root, 'bin/helpdesk.js'));
    await symlink(path.resolve('node_modules'), path.join(root, 'node_modules'));
    await writeFile(path.join(root, 'package.json'), '{"type": "module"}\n');
    await writeFile(path.join(root, 'src/cli.ts'), cli('sources'));

    // No build yet (a checkout without npm ci's prepare): the sources.
    expect(await helpdesk('help')).toBe('sources help');

    await writeFile(path.join(root, 'dist/cli.js'), cli('compiled'));
    const past = new Date(Date.now() - 60_000);
    await utimes(path.join(root, 'src/cli.ts'), past, past);
    expect(await helpdesk('start', '--role', 'web')).toBe('compiled start --role web');

    // A source edited after the build: what runs is what is on disk.
    await writeFile(path.join(root, 'src/cli.ts'), cli('edited'));
    expect(await helpdesk('help')).toBe('edited help');
  }, 30_000);
});
