import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { simulate } from '../../../src/commands/simulate.js';

const EXAMPLE = 'tests/fixtures/simulation/readme-example.json';
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'simulate-command-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function output(args: string[]): Promise<string> {
  let text = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  try {
    await simulate(args);
  } finally {
    write.mockRestore();
  }
  return text;
}

describe('helpdesk simulate', () => {
  it('prints the table, the contract JSON, and writes the chart of the three policies', async () => {
    const table = await output(['--scenario', EXAMPLE, '--policy', 'round-robin']);
    expect(table).toMatch(/^policy round-robin, seed 42, 28 days$/m);
    expect(table).toMatch(/^utilisation: tier 1 \d+\.\d%$/m);
    const svg = path.join(dir, 'sla.svg');
    const json = JSON.parse(await output(['--scenario', EXAMPLE, '--json', '--seed', '7', '--svg', svg])) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['policy', 'seed', 'days', 'priorities', 'tiers']);
    expect(json.seed).toBe(7);
    const chart = await readFile(svg, 'utf8');
    for (const policy of ['engine', 'round-robin', 'least-loaded']) expect(chart).toContain(`<title>${policy} P1: `);
  });

  it.each([
    [['--scenario', EXAMPLE, '--policy', 'fifo'], /--policy must be one of engine, round-robin, least-loaded/],
    [['--scenario', EXAMPLE, '--seed', '1.5'], /--seed must be an integer/],
    [['--json'], /--scenario is required/],
    [['--scenario', EXAMPLE, '--from-desk'], /not both/],
    [['--scenario', 'no/such/file.json'], /--scenario no\/such\/file\.json: no such file/],
    [['--scenario', EXAMPLE, '--bogus'], /--bogus/],
  ])('refuses %j naming what is wrong', async (args, message) => {
    await expect(simulate(args)).rejects.toThrow(message);
  });

  it('names the field of a scenario that is not one', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ days: 1, arrivals: [], technicians: [] }));
    await expect(simulate(['--scenario', file])).rejects.toThrow(/scenario: arrivals: /);
    await writeFile(file, '{ not json');
    await expect(simulate(['--scenario', file])).rejects.toThrow(/is not JSON/);
  });
});
