import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { checkDatabase, checkMailboxes, checkRedis, checkTwilio, type Finding } from '../doctor/checks.js';
import { createLogger } from '../log.js';

/**
 * `helpdesk doctor`: one line per thing the gateway needs (configuration, database, Redis, each
 * mailbox, Twilio), `ok` or what is wrong; exits 1 when anything is. Beside a running gateway it
 * looks at that gateway's embedded servers; without one it starts them for the check.
 */
export async function doctor(args: string[]): Promise<void> {
  parseArgs({ args, options: {}, strict: true });
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    print({ subject: 'configuration', ok: false, detail: err.message });
    process.exitCode = 1;
    return;
  }
  print({ subject: 'configuration', ok: true, detail: 'every variable valid' });
  // The log would interleave with the findings; only its errors are worth a line.
  const log = createLogger({ level: 'error', destination: process.stderr });
  const findings = await Promise.all([checkDatabase(config, log), checkRedis(config, log), checkMailboxes(config), checkTwilio(config)]);
  const lines = findings.flat();
  for (const finding of lines) print(finding);
  if (lines.some((f) => !f.ok)) process.exitCode = 1;
}

function print({ subject, ok, detail }: Finding): void {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${subject}: ${detail}\n`);
}
