import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** A key prefix of its own for a test (bull's `prefix` option), e.g. `test:4211:9f3a1c2b`. */
export function uniquePrefix(): string {
  return `test:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under `prefix` (`<prefix>:…`, as bull names them), returning how many. */
export async function deleteKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let deleted = 0;
    // SCAN, not KEYS: the server is shared by every test file running at the same time.
    const stream = redis.scanStream({ match: `${escapeGlob(prefix)}:*`, count: 500 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    }
    return deleted;
  } finally {
    redis.disconnect();
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
