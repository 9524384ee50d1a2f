import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../log.js';
import { startGateway } from '../main.js';
import { ROLES, type Role } from '../roles/types.js';

/** `helpdesk start [--role web,worker,mail]`: runs until a signal, or until something it started dies for good. */
export async function start(args: string[]): Promise<void> {
  const roles = parseRoles(args);
  const config = loadConfig();
  const log = createLogger();
  // Handlers first: a SIGTERM while the roles are still starting must still stop everything
  // cleanly rather than kill the process and leave its servers behind.
  let stopping = false;
  const stopAndExit = (code: number) => {
    if (stopping) return;
    stopping = true;
    starting
      .then((gateway) => gateway.stop())
      .then(
        () => process.exit(code),
        () => process.exit(code || 1),
      );
  };
  const onFatal = (err: Error) => {
    log.fatal({ err: err.message }, 'the gateway cannot go on; exiting for a supervisor to restart it');
    stopAndExit(1);
  };
  const starting = startGateway(config, { roles, log, print: (line) => process.stdout.write(`${line}\n`), onFatal });
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'stopping');
    stopAndExit(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A bug, not a fault to heal: one fatal line, the servers stopped, exit 1 for the supervisor.
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught error; stopping');
    stopAndExit(1);
  });
  await starting;
}

function parseRoles(args: string[]): Role[] {
  const { values } = parseArgs({ args, options: { role: { type: 'string' } }, strict: true });
  if (!values.role) return [...ROLES];
  const roles = values.role.split(',').map((r) => r.trim());
  const unknown = roles.find((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown) throw new Error(`--role: unknown role "${unknown}" (use ${ROLES.join(', ')})`);
  return roles as Role[];
}
