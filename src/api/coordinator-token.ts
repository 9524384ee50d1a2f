import { generateToken } from '../config/index.js';
import type { TokenRepository } from '../store/token-repository.js';

/**
 * With `HELPDESK_API_TOKEN` unset, the first start makes a coordinator token, stores its digest and
 * hands it back once for printing; later starts find it stored and say nothing.
 *
 * Setting `HELPDESK_API_TOKEN` later revokes the generated token: one coordinator credential at a
 * time, the one the operator chose (a token printed once, long ago, must not stay a way in). Unsetting
 * it again does not revive the old token either: the next start generates and prints a new one.
 */
export async function ensureCoordinatorToken(tokens: TokenRepository, configured: string | undefined): Promise<string | null> {
  if (configured) {
    await tokens.revokeCoordinators();
    return null;
  }
  if (await tokens.hasCoordinator()) return null;
  const token = generateToken();
  await tokens.issue(token, { role: 'coordinator', technicianId: null });
  return token;
}
