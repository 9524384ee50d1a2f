import type { Outage, OutageTranslations } from '../domain/ticket.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';

/** An outage as a coordinator declares it, from the API or the console. */
export interface OutageDeclaration {
  title: string;
  message: string;
  since?: string | undefined;
  until?: string | null | undefined;
  category?: string | undefined;
  translations?: OutageTranslations | undefined;
}

/** Announced from now on to callers and in acknowledgements; one path for the API and the console. */
export async function declareOutage(store: Store, input: OutageDeclaration): Promise<Outage> {
  if (input.category && !(await store.categories.exists(input.category))) {
    throw new AppError('VALIDATION_FAILED', `category: no category "${input.category}" (GET /api/categories lists them)`, {
      field: 'category',
    });
  }
  // An end already past would be stored and never shown: say so rather than lose it.
  if (input.until && new Date(input.until).getTime() <= Math.max(Date.now(), input.since ? Date.parse(input.since) : 0)) {
    throw new AppError('VALIDATION_FAILED', 'until: must be in the future and after since', { field: 'until' });
  }
  return store.outages.create({
    title: input.title,
    message: input.message,
    ...(input.since ? { since: new Date(input.since) } : {}),
    ...(input.until ? { until: new Date(input.until) } : {}),
    ...(input.category ? { category: input.category } : {}),
    ...(input.translations ? { translations: input.translations } : {}),
  });
}

export async function endOutage(store: Store, id: string): Promise<void> {
  if (!(await store.outages.end(id))) throw new AppError('OUTAGE_NOT_FOUND', `outage ${id} is not ongoing`);
}
