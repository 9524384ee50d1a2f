import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PATHS, SHAPES } from './text-paths.js';

/**
 * Issue #11 items 12 and 13: every path that reads text from outside (categorisation, priority
 * keywords, email parsing, quoted replies, auto-reply and bounce classification, charset repair,
 * threading, HTML, SMS commands) takes 1 MB of each hostile shape in linear time. The quadratic
 * patterns this replaced took minutes on such input (the categorisation one: 5 s on 100,000
 * characters without a space); linear code takes milliseconds to a couple of hundred, so a budget of
 * 2.5 s per run fails the first and leaves a wide margin for the second on two busy cores.
 *
 * The runs happen in a child process: a super-linear regular expression blocks its thread, and only
 * a process can be stopped from outside, so that the test fails in seconds, naming the path and the
 * shape, instead of hanging.
 */
const BUDGET_MS = 2_500;
const RUNNER = fileURLToPath(new URL('./run-paths.ts', import.meta.url));

interface Timing {
  path: string;
  shape: string;
  ms: number;
}

type Report = { kind: 'start'; path: string; shape: string } | ({ kind: 'done' } & Timing) | { kind: 'end' };

function runAll(): Promise<{ timings: Timing[]; stuck: { path: string; shape: string } | null }> {
  return new Promise((resolve, reject) => {
    const child = fork(RUNNER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const timings: Timing[] = [];
    let stderr = '';
    let current: { path: string; shape: string } | null = null;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve({ timings, stuck: current });
      }, BUDGET_MS + 1_000);
    };
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('message', (report: Report) => {
      if (report.kind === 'start') {
        current = { path: report.path, shape: report.shape };
        arm();
      } else if (report.kind === 'done') {
        timings.push({ path: report.path, shape: report.shape, ms: report.ms });
      } else {
        clearTimeout(timer);
        resolve({ timings, stuck: null });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0 && code !== null) reject(new Error(`the runner exited with ${code}: ${stderr}`));
    });
  });
}

describe('hostile text: 1 MB of each shape through every text path', () => {
  it(`each path takes each shape within ${BUDGET_MS} ms`, async ({ annotate }) => {
    const { timings, stuck } = await runAll();
    expect(stuck, `${stuck?.path} did not finish on "${stuck?.shape}" within ${BUDGET_MS} ms`).toBeNull();
    expect(timings).toHaveLength(Object.keys(PATHS).length * Object.keys(SHAPES).length);
    const slowest = [...timings].sort((a, b) => b.ms - a.ms).slice(0, 3);
    await annotate(`slowest: ${slowest.map((t) => `${t.path} on "${t.shape}" ${t.ms.toFixed(0)} ms`).join('; ')}`);
    const over = timings.filter((t) => t.ms > BUDGET_MS).map((t) => `${t.path} on "${t.shape}": ${t.ms.toFixed(0)} ms`);
    expect(over).toEqual([]);
  }, 180_000);
});
