import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/runtime/ports.js';
import { isAlive } from '../../../src/runtime/processes.js';
import {
  cleanUp,
  freshDataDir,
  printedToken,
  problems,
  runCli,
  serverPids,
  spawnGateway,
  untilReady,
  userEnv,
  type RunningGateway,
} from './gateway.js';

const METRICS_TOKEN = 'metrics-token-0123456789';
let dataDir = '';
const gateways: RunningGateway[] = [];

afterAll(async () => {
  if (dataDir) await cleanUp(dataDir, gateways);
});

describe('a running gateway (npm start) and the CLI on the same data dir', () => {
  it('lets seed, migrate and doctor use its servers, guards /metrics, and stops with exit 0 on a signal to its process group', async () => {
    dataDir = await freshDataDir();
    const env = userEnv(dataDir, { HELPDESK_METRICS_TOKEN: METRICS_TOKEN });
    const gateway = spawnGateway(env, await freePort());
    gateways.push(gateway);
    await untilReady(gateway);
    const token = printedToken(gateway);

    // The README's next step, while npm start runs (it used to exit 1: "in use by process N").
    const seeded = await runCli(['seed', '--demo'], env);
    expect(seeded.stderr).not.toContain('in use');
    expect(seeded.code, seeded.stderr).toBe(0);
    const technicians = await fetch(`${gateway.url}/api/technicians`, { headers: { authorization: `Bearer ${token}` } });
    expect(JSON.stringify(await technicians.json())).toContain('"tier":3');

    const migrated = await runCli(['migrate'], env);
    expect(migrated.code, migrated.stderr).toBe(0);

    const checked = await runCli(['doctor'], env);
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    const gatewayPid = gateway.child.pid;
    expect(checked.stdout).toMatch(new RegExp(`^ok +database: PostgreSQL .*run by process ${gatewayPid}`, 'm'));
    expect(checked.stdout).toMatch(new RegExp(`^ok +redis: Redis .*run by process ${gatewayPid}`, 'm'));
    expect(checked.stdout).toMatch(/^ok +twilio: TWILIO_\* unset/m);

    // /metrics behind HELPDESK_METRICS_TOKEN.
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${gateway.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const metrics = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('helpdesk_http_requests_total');

    // Ctrl-C in a terminal, systemd's stop: the whole process group gets the signal.
    const servers = await serverPids(dataDir);
    expect(servers.postgres).toBeDefined();
    expect(servers.redis).toBeDefined();
    process.kill(-(gatewayPid ?? 0), 'SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(problems(gateway.output())).toEqual([]);
    // Its servers stop after its clients let go, not under their feet at the same instant.
    const shutdown = gateway.output().slice(gateway.output().indexOf('"msg":"stopping"'));
    expect(shutdown).not.toMatch(/ECONNREFUSED|Connection is closed|terminating connection/);
    expect(await isAlive(servers.postgres ?? 0)).toBe(false);
    expect(await isAlive(servers.redis ?? 0)).toBe(false);
  }, 120_000);
});
