import { generateToken } from '../config/index.js';
import type { TokenRepository } from '../store/token-repository.js';

/**
 * With `HELPDESK_API_TOKEN` unset, the first start makes a coordinator token, stores its digest and
 * hands it back once for printing; later starts find it stored and say nothing.
 */
export async function ensureCoordinatorToken(tokens: TokenRepository, configured: string | undefined): Promise<string | null> {
  if (configured) return null;
  if (await tokens.hasCoordinator()) return null;
  const token = generateToken();
  await tokens.issue(token, { role: 'coordinator', technicianId: null });
  return token;
}
