import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seal, unseal } from '../../../src/mail/oauth/sealed.js';
import { loadTokenKey } from '../../../src/mail/oauth/token-key.js';
import { createVault, type SealedTokenStorage } from '../../../src/mail/oauth/vault.js';
import type { SealedToken } from '../../../src/mail/oauth/sealed.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const tempDir = async () => {
  const d = await mkdtemp(path.join(tmpdir(), 'oauth-key-'));
  dirs.push(d);
  return d;
};

describe('sealed refresh tokens', () => {
  it('round-trips, and the sealed bytes do not contain the token', async () => {
    const key = await loadTokenKey(await tempDir());
    const token = seal(key, 'desk@acme.example', 'M.C5_refresh-token-value');
    expect(token.sealed.includes(Buffer.from('refresh-token'))).toBe(false);
    expect(unseal(key, 'desk@acme.example', token)).toBe('M.C5_refresh-token-value');
  });

  it('refuses changed bytes, another login, another key', async () => {
    const key = await loadTokenKey(await tempDir());
    const other = await loadTokenKey(await tempDir());
    const token = seal(key, 'desk@acme.example', 'rt');
    const flipped = Buffer.from(token.sealed);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 1;
    expect(() => unseal(key, 'desk@acme.example', { ...token, sealed: flipped })).toThrow();
    expect(() => unseal(key, 'other@acme.example', token)).toThrow();
    expect(() => unseal(other, 'desk@acme.example', token)).toThrow('another key');
  });

  it('creates the key file once, mode 600, and reads the same key after', async () => {
    const dir = await tempDir();
    const [a, b] = await Promise.all([loadTokenKey(dir), loadTokenKey(dir)]);
    expect(a.equals(b)).toBe(true);
    expect((await loadTokenKey(dir)).equals(a)).toBe(true);
    expect((await stat(path.join(dir, 'oauth-token.key'))).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(path.join(dir, 'oauth-token.key'), 'utf8')).trim(), 'base64')).toHaveLength(32);
  });

  it('names the key file when a stored token was sealed by another host', async () => {
    const rows = new Map<string, SealedToken>();
    const storage: SealedTokenStorage = { get: async (a) => rows.get(a) ?? null, put: async (a, t) => void rows.set(a, t) };
    const here = await loadTokenKey(await tempDir());
    const there = await loadTokenKey(await tempDir());
    await createVault(storage, async () => there).put('desk@acme.example', 'rt');
    await expect(createVault(storage, async () => here).get('desk@acme.example')).rejects.toThrow(/oauth-token\.key/);
    expect(await createVault(storage, async () => there).get('desk@acme.example')).toBe('rt');
  });
});
