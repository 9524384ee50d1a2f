import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { hourOfWeekOccurrences, DEFAULT_AHT_SECONDS } from '../staffing/desk-staffing.js';
import { scenarioFromDesk } from '../simulation/from-desk.js';
import { POLICIES, type PolicyName } from '../simulation/policies.js';
import { reportTable, summarize, type SimulationReport } from '../simulation/report.js';
import { parseScenario, type Scenario } from '../simulation/scenario.js';
import { simulate as run } from '../simulation/simulate.js';
import { slaComplianceChart } from '../simulation/svg.js';

const USAGE =
  'usage: helpdesk simulate --scenario FILE [--policy engine|round-robin|least-loaded] [--seed N] [--json] [--svg FILE] [--from-desk [--save FILE]]';
const DESK_DAYS = 28;
const DAY = 24 * 3600 * 1000;

const isPolicy = (p: string): p is PolicyName => (POLICIES as readonly string[]).includes(p);

async function scenarioFile(file: string): Promise<Scenario> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(`simulate: --scenario ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`simulate: --scenario ${file} is not JSON: ${(err as Error).message}`);
  }
  return parseScenario(json);
}

/** The last four weeks of the desk: arrivals by hour of week, handling time, technicians, categories. */
async function deskScenario(): Promise<Scenario> {
  let scenario: Scenario | null = null;
  // Loaded only here: a scenario file needs no database, and the store takes a while to load.
  const [{ withDatabase }, { createLogger }, { createRulesBook }] = await Promise.all([
    import('./database.js'),
    import('../log.js'),
    import('../rules/rules-book.js'),
  ]);
  const log = createLogger({ destination: process.stderr });
  await withDatabase(async (store, config) => {
    const to = new Date();
    const from = new Date(to.getTime() - DESK_DAYS * DAY);
    // The rules as the routing worker reads them: categories, SLA targets, offer timeouts, load weights, holidays.
    const book = createRulesBook({
      repository: store.rules,
      timezone: config.timezone,
      businessHours: config.businessHours,
      log,
    });
    const [counts, aht, technicians, rules] = await Promise.all([
      store.staffing.arrivalsByHourOfWeek(from, to, config.timezone),
      store.staffing.meanHandlingSeconds(from, to),
      store.staffing.technicians(),
      book.load(),
    ]);
    if (technicians.length === 0) throw new Error('simulate: --from-desk: the desk has no available technician to simulate');
    if (counts.length === 0) throw new Error(`simulate: --from-desk: no ticket was opened in the last ${DESK_DAYS} days`);
    scenario = scenarioFromDesk({
      counts,
      occurrences: hourOfWeekOccurrences(from, to, config.timezone),
      ahtSeconds: aht !== null && aht > 0 ? aht : DEFAULT_AHT_SECONDS,
      technicians,
      rules,
      timezone: config.timezone,
      businessHours: config.businessHours,
      days: DESK_DAYS,
    });
    // Log lines on stderr: stdout is the report (JSON with --json).
  }, log);
  if (scenario === null) throw new Error('simulate: --from-desk: the desk could not be read');
  // Through the same validation as a file, so that what is run could have been written by hand.
  return parseScenario(scenario);
}

/** `helpdesk simulate`: replays a scenario through a routing policy on a simulated clock. */
export async function simulate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      scenario: { type: 'string' },
      policy: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
      svg: { type: 'string' },
      'from-desk': { type: 'boolean' },
      save: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const policy = values.policy ?? 'engine';
  if (!isPolicy(policy)) throw new Error(`simulate: --policy must be one of ${POLICIES.join(', ')}, not "${policy}"`);
  let seed: number | undefined;
  if (values.seed !== undefined) {
    seed = Number(values.seed);
    if (!/^-?\d{1,10}$/.test(values.seed) || !Number.isSafeInteger(seed))
      throw new Error(`simulate: --seed must be an integer, not "${values.seed}"`);
  }
  if (values['from-desk'] && values.scenario) throw new Error('simulate: give --scenario FILE or --from-desk, not both');
  if (!values['from-desk'] && !values.scenario) throw new Error(`simulate: --scenario is required (${USAGE})`);
  if (values.save && !values['from-desk'])
    throw new Error('simulate: --save writes the scenario --from-desk builds; the file given to --scenario is already one');

  const scenario = values.scenario ? await scenarioFile(values.scenario) : await deskScenario();
  if (values.save) await writeFile(values.save, `${JSON.stringify(scenario, null, 2)}\n`);
  const report = summarize(run(scenario, { policy, seed }));
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : reportTable(report));
  if (values.svg) {
    // The chart compares: every policy on the same tickets (the same seed draws the same arrivals).
    const reports: SimulationReport[] = POLICIES.map((p) => (p === policy ? report : summarize(run(scenario, { policy: p, seed }))));
    await writeFile(values.svg, slaComplianceChart(reports));
    if (!values.json) process.stdout.write(`chart: ${values.svg}\n`);
  }
}
