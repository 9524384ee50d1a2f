import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { staffing } from '../../../src/commands/staffing.js';

const run = promisify(execFile);
const BIN = path.resolve('bin/helpdesk.js');

afterEach(() => vi.restoreAllMocks());

async function output(args: string[]): Promise<string> {
  let text = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  await staffing(args);
  return text;
}

describe('helpdesk staffing', () => {
  it('prints the contract JSON for the reference load', async () => {
    const json = JSON.parse(await output(['--rate', '200', '--aht', '180', '--target', '80/20', '--json'])) as Record<string, number>;
    expect(Object.keys(json).sort()).toEqual(['meanWaitSeconds', 'occupancy', 'serviceLevel', 'technicians', 'waitProbability']);
    expect(json.technicians).toBe(14);
    expect(json.waitProbability).toBeCloseTo(0.1741, 4);
    expect(json.serviceLevel).toBeCloseTo(0.8884, 4);
    expect(json.meanWaitSeconds).toBeCloseTo(7.84, 2);
  });

  it('prints a table a person reads', async () => {
    const text = await output(['--rate', '200', '--aht', '180', '--target', '80/20']);
    expect(text).toMatch(/technicians\s+14/);
    expect(text).toMatch(/service level\s+88\.8% within 20 s/);
  });

  it.each([
    [['--rate', 'x', '--aht', '180'], /--rate/],
    [['--rate', '200', '--aht', '0'], /--aht/],
    [['--rate', '200', '--aht', '180', '--target', '120/20'], /--target/],
    [['--aht', '180'], /--rate/],
    [['--rate', '1e12', '--aht', '180'], /--rate × --aht: the load is 50000000000 erlangs/],
  ])('refuses %j naming the option', async (args, named) => {
    await expect(staffing(args)).rejects.toThrow(named);
  });

  it('exits non-zero with one line naming a bad option, as a user runs it', async () => {
    const failed = await run(process.execPath, [BIN, 'staffing', '--rate', '200', '--aht', '180', '--bogus']).then(
      () => null,
      (err: { code: number; stderr: string; stdout: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toBe('');
    const lines = (failed?.stderr ?? '').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('--bogus');
  }, 30_000);
});
