/**
 * /api/openapi.json, generated from the route table and the same zod schemas that validate the
 * requests: a route cannot exist undocumented, and the docs cannot promise a field the
 * validator refuses.
 */
import { z } from 'zod';
import type { Route } from './route.js';
import { ErrorBody } from './schemas.js';
import { PATH_PARAMS } from './validation.js';

function schemaOf(s: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const json = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

function queryParameters(q: z.ZodType | undefined) {
  if (!q) return [];
  const json = schemaOf(q) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    description: schema.description,
    schema: { type: 'string', ...(Array.isArray(schema.enum) ? { enum: schema.enum } : {}) },
  }));
}

export function openApiDocument(routes: readonly Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const pathParams = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const op: Record<string, unknown> = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      parameters: [
        ...pathParams.map((name) => ({
          name,
          in: 'path',
          required: true,
          description: PATH_PARAMS[name]?.description,
          schema: PATH_PARAMS[name]?.int64 ? { type: 'string', pattern: '^-?\\d+$' } : { type: 'string' },
        })),
        ...queryParameters(r.query),
      ],
      responses: {
        [String(r.success.status)]: {
          description: r.success.description,
          content: { [r.success.contentType ?? 'application/json']: {} },
        },
        default: {
          description:
            'an error: an RFC 9457 problem {type, title, status, detail, instance, code, error: {code, message, details}}',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    };
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: schemaOf(r.body) } } };
    else if (r.parseBody)
      op.requestBody = {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              description: 'a partner.json in the official format, or {config, credentials, id}',
            },
          },
        },
      };
    (paths[r.path] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'pcsim admin API',
      version,
      description:
        'The simulated Databricks of pcsim: workspaces, users, partners, connections, partner-side hooks and the journal. int64 ids travel as decimal strings (exact JSON integers are accepted too). Errors: RFC 9457 problems (application/problem+json) {type, title, status, detail, instance, code}, with {error: {code, message, details}} as well.',
    },
    paths,
    components: { schemas: { Error: schemaOf(ErrorBody, 'output') } },
  };
}
