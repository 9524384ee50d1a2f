import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/runtime/ports.js';
import { isAlive } from '../../../src/runtime/processes.js';
import { cleanUp, freshDataDir, serverPids, spawnGateway, untilReady, userEnv, type RunningGateway } from './gateway.js';

let dataDir = '';
const gateways: RunningGateway[] = [];

afterAll(async () => {
  if (dataDir) await cleanUp(dataDir, gateways);
});

describe('a fault the gateway cannot heal', () => {
  it('exits non-zero with a fatal line within 30 s, taking its servers along, instead of sitting half-alive', async () => {
    dataDir = await freshDataDir();
    const gateway = spawnGateway(userEnv(dataDir), await freePort());
    gateways.push(gateway);
    await untilReady(gateway);
    const { postgres, redis } = await serverPids(dataDir);

    // Redis's directory replaced by a file: a restart cannot even spawn it there.
    const dir = path.join(dataDir, 'redis');
    await rename(dir, `${dir}.moved`);
    await writeFile(dir, 'not a directory');
    const killedAt = Date.now();
    process.kill(redis ?? 0, 'SIGKILL');

    const code = await gateway.exited;
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect(code).toBe(1);
    expect(gateway.output()).toMatch(/"level":60.*redis-server could not be restarted/);
    expect(await isAlive(postgres ?? 0)).toBe(false);
  }, 90_000);
});
