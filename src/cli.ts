const USAGE = `usage: helpdesk <command>
  start [--role web,worker,mail]   run the gateway (default: all three roles)
  migrate                          apply database migrations
  seed --demo                      add demo technicians, skills, categories and an outage
  doctor                           check the configuration, database, Redis, mailboxes and Twilio
  mailbox login [--mailbox KEY]    sign in an auth=oauth2 mailbox (device code) and store its refresh token
  staffing --rate R --aht S --target 80/20 [--json]   technicians needed (Erlang C)
  simulate --scenario FILE [--policy engine|round-robin|least-loaded] [--seed N] [--json] [--svg FILE] [--from-desk]`;

// Each command loads its modules when it runs: `help` (and a typo) answers without loading the
// whole gateway, which takes seconds.
const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  start: async (args) => (await import('./commands/start.js')).start(args),
  migrate: async () => (await import('./commands/database.js')).migrateCommand(),
  seed: async (args) => (await import('./commands/database.js')).seedCommand(args),
  doctor: async (args) => (await import('./commands/doctor.js')).doctor(args),
  mailbox: async (args) => (await import('./commands/mailbox.js')).mailboxCommand(args),
  staffing: async (args) => (await import('./commands/staffing.js')).staffing(args),
  simulate: async (args) => (await import('./commands/simulate.js')).simulate(args),
};

/** `helpdesk <command>`: one line on stderr and exit 1 for any error a person can fix. */
export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const run = command !== undefined && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = command === undefined || command === 'help' || command === '--help' ? 0 : 1;
    return;
  }
  try {
    await run(rest);
  } catch (err) {
    // A ConfigError's message names the variable ("PORT: port 3000 is already in use…").
    process.stderr.write(`helpdesk: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
