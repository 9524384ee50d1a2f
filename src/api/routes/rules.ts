import { z } from 'zod';
import { AppError } from '../../errors.js';
import { RULES, RULE_NAMES, categoryBody, categoryName, isRuleName, type RuleName } from '../../rules/rules-schemas.js';
import type { TicketDeps } from '../../tickets/deps.js';
import { putCategory, replaceRule } from '../../tickets/desk-rules.js';
import { route, type Route } from '../route.js';
import { parseInput } from '../validate.js';

/**
 * Routing rules as data: the priority matrix and keywords, SLA targets, offer timeouts, holidays,
 * load weights and the categories. Coordinators read and replace them; the change applies to the
 * next decision (this process at once, the others within seconds).
 */

function ruleNameOr404(name: string): RuleName {
  if (!isRuleName(name)) throw new AppError('NOT_FOUND', `no rule "${name}"; the rules are: ${RULE_NAMES.join(', ')}`);
  return name;
}

/** The whole value is replaced, so a PUT body is the full rule; a rule-specific schema checks it. */
const anyJson = z.unknown();

export function ruleRoutes(deps: TicketDeps): Route[] {
  const repository = deps.store.rules;
  const stored = async (name: RuleName) => {
    const parsed = RULES[name].schema.safeParse(await repository.setting(name));
    return parsed.success ? parsed.data : RULES[name].default;
  };

  return [
    route({
      method: 'get',
      path: '/rules',
      tag: 'rules',
      summary: 'Every routing rule by name',
      access: 'coordinator',
      async handler() {
        const entries = await Promise.all(RULE_NAMES.map(async (name) => [name, await stored(name)] as const));
        return { body: Object.fromEntries(entries) };
      },
    }),
    route<{ name: string }>({
      method: 'get',
      path: '/rules/:name',
      tag: 'rules',
      summary: 'One routing rule: priority-matrix, priority-keywords, sla-targets, offer-timeouts, calendar, load-weights',
      access: 'coordinator',
      async handler({ params }) {
        return { body: await stored(ruleNameOr404(params.name)) };
      },
    }),
    route<{ name: string }, unknown, unknown>({
      method: 'put',
      path: '/rules/:name',
      tag: 'rules',
      summary: 'Replace a routing rule (the whole value)',
      access: 'coordinator',
      body: anyJson,
      async handler({ params, body }) {
        const name = ruleNameOr404(params.name);
        const value = parseInput(RULES[name].schema as z.ZodType<unknown>, body, 'body');
        await replaceRule(deps, name, value);
        return { body: value };
      },
    }),
    route({
      method: 'get',
      path: '/categories',
      tag: 'rules',
      summary: 'Categories: the skills each needs, the tier it starts at, its keywords',
      access: 'staff',
      async handler() {
        return { body: { items: await repository.categories() } };
      },
    }),
    route<{ name: string }>({
      method: 'get',
      path: '/categories/:name',
      tag: 'rules',
      summary: 'One category',
      access: 'staff',
      async handler({ params }) {
        const category = await repository.category(params.name.toLowerCase());
        if (!category) throw new AppError('NOT_FOUND', `no category "${params.name}"`);
        return { body: category };
      },
    }),
    route<{ name: string }, unknown, z.infer<typeof categoryBody>>({
      method: 'put',
      path: '/categories/:name',
      tag: 'rules',
      summary: 'Create or replace a category',
      access: 'coordinator',
      body: categoryBody,
      async handler({ params, body }) {
        const checked = categoryName.safeParse(params.name);
        if (!checked.success) {
          throw new AppError('VALIDATION_FAILED', `name: ${checked.error.issues[0]?.message ?? 'invalid'}`, { field: 'name' });
        }
        const name = checked.data;
        const { created, category } = await putCategory(deps, {
          name,
          skills: body.skills,
          startTier: body.startTier,
          keywords: body.keywords,
        });
        return { status: created ? 201 : 200, body: category };
      },
    }),
  ];
}
