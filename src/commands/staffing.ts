import { parseArgs } from 'node:util';
import { agentsFor, parseTarget, type ErlangC } from '../staffing/erlang-c.js';

const USAGE = 'usage: helpdesk staffing --rate R --aht S --target "80/20" [--json]';

/** A positive finite number, or an error naming the option (the CLI prints it as one line). */
function positive(name: string, value: string | undefined): number {
  if (value === undefined) throw new Error(`staffing: --${name} is required (${USAGE})`);
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new Error(`staffing: --${name} must be a positive number, not "${value}"`);
  return n;
}

/** The contract's JSON: shares 0–1, times in seconds. */
export function staffingJson(result: ErlangC) {
  return {
    technicians: result.agents,
    waitProbability: result.waitProbability,
    meanWaitSeconds: result.meanWaitSeconds,
    serviceLevel: result.serviceLevel,
    occupancy: result.occupancy,
  };
}

/** `helpdesk staffing`: Erlang C sizing for one arrival rate and handling time. */
export async function staffing(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { rate: { type: 'string' }, aht: { type: 'string' }, target: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  const rate = positive('rate', values.rate);
  const aht = positive('aht', values.aht);
  const target = parseTarget(values.target ?? '80/20');
  if (!target) throw new Error(`staffing: --target must read like "80/20" (80% within 20 seconds), not "${values.target ?? ''}"`);
  let result: ErlangC;
  try {
    result = agentsFor({ arrivalsPerHour: rate, ahtSeconds: aht }, target);
  } catch (err) {
    throw new Error(`staffing: --rate × --aht: ${(err as Error).message}`);
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(staffingJson(result))}\n`);
    return;
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  process.stdout.write(
    [
      `load             ${result.erlangs.toFixed(2)} erlangs (${rate}/h × ${aht} s)`,
      `technicians      ${result.agents}`,
      `service level    ${pct(result.serviceLevel)} within ${target.seconds} s (target ${pct(target.share)})`,
      `wait probability ${pct(result.waitProbability)}`,
      `mean wait        ${result.meanWaitSeconds.toFixed(1)} s`,
      `occupancy        ${pct(result.occupancy)}`,
      '',
    ].join('\n'),
  );
}
