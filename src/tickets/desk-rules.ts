import type { RuleName } from '../rules/rules-schemas.js';
import type { CategoryRecordInput, StoredCategory } from '../store/rules-repository.js';
import type { TicketDeps } from './deps.js';

/**
 * The routing rules a coordinator changes, from the API or the console: stored, then the rules book
 * read again, so that this process's next decision uses them (the others' within seconds). The
 * value was checked by the rule's schema at the edge, where a refusal can name its field.
 */
export async function replaceRule(deps: TicketDeps, name: RuleName, value: unknown): Promise<void> {
  await deps.store.rules.putSetting(name, value);
  await deps.policy.refresh?.();
}

export async function putCategory(
  deps: TicketDeps,
  category: CategoryRecordInput,
): Promise<{ created: boolean; category: StoredCategory }> {
  const stored = await deps.store.rules.putCategory(category);
  await deps.policy.refresh?.();
  return stored;
}
