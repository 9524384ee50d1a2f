import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';

/** What ensureCommand asks of the machine; tests replace parts of it. */
export interface System {
  /** Contents of /etc/os-release, undefined where there is none. */
  osRelease(): Promise<string | undefined>;
  isRoot(): boolean;
  /** Runs a command to completion, returning its exit code and combined output. */
  run(command: string, args: string[]): Promise<{ code: number; output: string }>;
  /** Directories searched for a command, in order. */
  searchDirs(): string[];
}

// Daemons such as dovecot live in sbin directories, which a non-login root shell may lack on PATH.
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

export const defaultSystem: System = {
  osRelease: () => readFile('/etc/os-release', 'utf8').catch(() => undefined),
  isRoot: () => process.getuid?.() === 0,
  run: runCommand,
  searchDirs: () => [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SBIN_DIRS],
};

/**
 * The absolute path of `command`. When it is missing on Debian or Ubuntu as root, installs
 * `debianPackage` with apt-get (and says so in the log); anywhere else throws an error whose
 * message is "<command> was not found …" followed by `hint` (how to install it, what to set instead).
 */
export async function ensureCommand(
  command: string,
  debianPackage: string,
  log: Logger,
  hint: string,
  system: Partial<System> = {},
): Promise<string> {
  const sys: System = { ...defaultSystem, ...system };
  const found = await findCommand(command, sys.searchDirs());
  if (found) return found;

  const notFound = `${command} was not found on PATH nor in ${SBIN_DIRS.join(', ')}.`;
  const debian = isDebianLike((await sys.osRelease()) ?? '');
  if (!debian) throw new Error(`${notFound} ${hint}`);
  if (!sys.isRoot()) throw new Error(`${notFound} ${hint} (It is installed automatically only when running as root.)`);

  await aptInstall(debianPackage, log, sys, hint);
  const installed = await findCommand(command, sys.searchDirs());
  if (!installed) throw new Error(`${notFound} Installing ${debianPackage} did not provide it. ${hint}`);
  log.warn({ command, package: debianPackage, path: installed }, 'installed a missing system package');
  return installed;
}

export async function findCommand(command: string, dirs: string[]): Promise<string | undefined> {
  if (command.includes('/')) return (await isExecutable(command)) ? path.resolve(command) : undefined;
  for (const dir of dirs) {
    const candidate = path.join(dir, command);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** True when /etc/os-release names Debian or Ubuntu, or a derivative of either, in ID or ID_LIKE. */
export function isDebianLike(osRelease: string): boolean {
  const ids = osRelease
    .split('\n')
    .map((line) => /^(ID|ID_LIKE)=(.*)$/.exec(line.trim())?.[2])
    .flatMap((value) => (value ?? '').replace(/["']/g, '').split(/\s+/));
  return ids.some((id) => id === 'debian' || id === 'ubuntu');
}

// Two services may ask for a package at once; dpkg holds one lock, so installs go one at a time.
let aptQueue: Promise<unknown> = Promise.resolve();

function aptInstall(pkg: string, log: Logger, sys: System, hint: string): Promise<void> {
  const job = aptQueue.then(async () => {
    // Lock::Timeout waits for another apt run (ours or the machine's) instead of failing at once.
    const install = ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', pkg];
    log.warn({ package: pkg }, `installing ${pkg} with apt-get install -y ${pkg}`);
    let result = await sys.run('apt-get', install);
    if (result.code !== 0) {
      // A fresh image often has no package lists yet ("Unable to locate package").
      log.warn({ package: pkg }, 'apt-get install failed; running apt-get update and retrying');
      const update = await sys.run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update']);
      if (update.code !== 0) log.warn({ output: tail(update.output) }, 'apt-get update failed');
      result = await sys.run('apt-get', install);
    }
    if (result.code !== 0) {
      throw new Error(`apt-get install -y ${pkg} failed (exit ${result.code}): ${tail(result.output)} ${hint}`);
    }
  });
  aptQueue = job.catch(() => undefined);
  return job;
}

function tail(output: string): string {
  return output.trim().split('\n').slice(-5).join(' | ');
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function runCommand(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (err) => resolve({ code: 127, output: `${output}${err.message}` }));
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
