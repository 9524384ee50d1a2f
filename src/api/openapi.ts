import { z } from 'zod';
import type { Route } from './route.js';

const ERROR = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
    },
  },
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input') {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'throw' }) as Record<string, unknown>;
  return rest;
}

/** `/tickets/:id` → `/tickets/{id}` */
function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, '{$1}');
}

/** The OpenAPI 3.1 document of the REST API, built from the same table as the router. */
export function buildOpenApi(routes: Route[], info: { version: string; serverUrl: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = `/api${openApiPath(r.path)}`;
    const paramSchemas = (r.params ? jsonSchema(r.params).properties : undefined) as Record<string, unknown> | undefined;
    const params = [...r.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: (m[1] && paramSchemas?.[m[1]]) ?? { type: 'string' },
      description: m[1] === 'id' && r.tag === 'tickets' ? 'the ticket’s number, reference (HD-<number>) or id' : undefined,
    }));
    const query = r.query ? jsonSchema(r.query) : null;
    const queryParams = query
      ? Object.entries((query.properties ?? {}) as Record<string, unknown>).map(([name, schema]) => ({
          name,
          in: 'query',
          required: false,
          schema,
        }))
      : [];
    const status = String(r.status ?? 200);
    paths[path] ??= {};
    paths[path][r.method] = {
      tags: [r.tag],
      summary: r.summary,
      security: [{ bearer: [] }],
      'x-access': r.access,
      parameters: [...params, ...queryParams],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } } : {}),
      responses: {
        [status]: status === '204' ? { description: 'done' } : { description: 'ok', content: { 'application/json': {} } },
        '400': { description: 'invalid input; the message names the field', content: { 'application/json': { schema: ERROR } } },
        ...(r.body
          ? {
              '413': { description: 'the body is larger than 1 MB', content: { 'application/json': { schema: ERROR } } },
              '415': { description: 'the body is not application/json', content: { 'application/json': { schema: ERROR } } },
            }
          : {}),
        '401': { description: 'no or unknown token', content: { 'application/json': { schema: ERROR } } },
        '403': { description: 'the token’s role may not do this', content: { 'application/json': { schema: ERROR } } },
        ...(r.path.includes(':id') ? { '404': { description: 'not found', content: { 'application/json': { schema: ERROR } } } } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Helpdesk gateway API', version: info.version },
    servers: [{ url: info.serverUrl }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
