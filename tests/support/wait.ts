import { setTimeout as sleep } from 'node:timers/promises';

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

const isTruthy = <T>(value: T): value is Truthy<T> => Boolean(value);

export interface WaitOptions {
  /** Give up after this long (default 15 s: generous, as CI runs the suite on two cores). */
  timeoutMs?: number;
  intervalMs?: number;
  /** What the state was when the wait gave up, for the failure's message (which rows are stuck, and how). */
  explain?: () => Promise<unknown>;
}

/**
 * The tests' one way to wait for something that happens in the background (a worker, a child
 * process): polls `check` until it returns something truthy and returns that, or fails naming
 * `what` after the timeout. vi.waitFor would do for most, but not name what was awaited nor say
 * what the state was when it gave up.
 */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, options: WaitOptions = {}): Promise<Truthy<T>> {
  const { timeoutMs = 15_000, intervalMs = 50, explain } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (isTruthy(value)) return value;
    if (Date.now() > deadline) {
      const state = explain ? `: ${JSON.stringify(await explain().catch((err: unknown) => String(err)))}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state}`);
    }
    await sleep(intervalMs);
  }
}
