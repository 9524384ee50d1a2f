import { readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchResult } from './types.js';

/**
 * `npm run bench [-- name…]`: runs every bench/<name>.ts scenario (or the named ones) one after
 * the other and writes their sections into BENCHMARKS.md. Each scenario measures its own baseline
 * in the same run, so the ratios stay meaningful on whatever machine runs them.
 *
 * The soak (bench/soak.ts, 30 minutes) runs only when asked, and then alone: `npm run bench --soak`
 * (npm passes that as npm_config_soak, not as an argument) or `npm run bench -- --soak`;
 * `--minutes N` (or SOAK_MINUTES) shortens it for a trial.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const { values: options, positionals: wanted } = parseArgs({
  options: { soak: { type: 'boolean' }, minutes: { type: 'string' } },
  allowPositionals: true,
});
const soak = options.soak === true || process.env.npm_config_soak === 'true';
const minutes = options.minutes ?? process.env.npm_config_minutes;
if (minutes !== undefined) process.env.SOAK_MINUTES = minutes;
const files = (await readdir(here))
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'types.ts'].includes(f))
  .filter((f) => (f === 'soak.ts') === soak)
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.ts$/, '')))
  .sort();

const results: BenchResult[] = [];
for (const file of files) {
  process.stdout.write(`bench ${file} … `);
  const module = (await import(pathToFileURL(path.join(here, file)).href)) as { run?: () => Promise<BenchResult> };
  if (!module.run) {
    process.stdout.write('skipped (no run())\n');
    continue;
  }
  const started = Date.now();
  try {
    const result = await module.run();
    results.push(result);
    process.stdout.write(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n${result.lines.join('\n')}\n\n`);
  } catch (err) {
    process.stdout.write(`failed: ${(err as Error).stack ?? String(err)}\n`);
    results.push({ name: file, lines: [`Failed: ${(err as Error).message}`] });
    process.exitCode = 1;
  }
}

const header = [
  '# Benchmarks',
  '',
  `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'},`,
  `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}. Every figure stands beside a baseline measured in the same`,
  'run, on the same machine, and the ratio between them is the number to compare across machines.',
  '',
];
// A partial run replaces its own sections and keeps the others as they were.
const target = path.join(here, '..', 'BENCHMARKS.md');
const previous = await readFile(target, 'utf8').catch(() => '');
const sections = new Map<string, string[]>();
for (const chunk of previous.split(/^## /m).slice(1)) {
  const [title = '', ...rest] = chunk.split('\n');
  sections.set(title.trim(), rest);
}
for (const r of results) sections.set(r.name, ['', ...r.lines, '']);
const body = [...sections].flatMap(([name, lines]) => [`## ${name}`, ...lines]);
await writeFile(target, [...header, ...body].join('\n').replace(/\n{3,}/g, '\n\n'));
process.exit();
