import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The key that seals stored refresh tokens: 32 random bytes in HELPDESK_DATA_DIR/oauth-token.key,
 * created once with mode 600. Why a file of its own and not a key derived from OAUTH_CLIENT_SECRET:
 * a database dump or backup alone then opens nothing; Microsoft's device flow runs as a public
 * client that has no secret; and an app secret expires (Entra ID caps it at two years) and is
 * rotated, which would silently orphan every stored token. The cost: every host that runs the mail
 * role or the notifier needs the same file (a mismatch is reported by name, see vault.ts).
 */
export const TOKEN_KEY_FILE = 'oauth-token.key';

export async function loadTokenKey(dataDir: string): Promise<Buffer> {
  const file = path.join(dataDir, TOKEN_KEY_FILE);
  const existing = await readKey(file);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    // 'wx': two processes starting at once must not each write a key of their own.
    await writeFile(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST')) throw err;
  }
  const key = await readKey(file);
  if (!key) throw new Error(`${file} could not be read after it was created`);
  return key;
}

async function readKey(file: string): Promise<Buffer | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return null;
    throw err;
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32)
    throw new Error(`${file}: expected 32 bytes in base64 (delete it to make a new key, then run helpdesk mailbox login again)`);
  return key;
}
