/**
 * Validation of what a client sends: every problem names its field, and the first one is the
 * error message ("Failed to X: field is value. Expected Y."); all of them are in details.issues.
 */
import type { z } from 'zod';
import { issuesToViolations, pathToField, show } from '../contract/diagnostics.js';
import { toInt64 } from '../contract/int64.js';
import { ApiError } from './errors.js';

export interface FieldIssue {
  field: string;
  message: string;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key as string];
  }
  return cur;
}

const join = (prefix: string, field: string) => [prefix, field].filter(Boolean).join('.');

/** zod issues → one readable issue per problem, each naming its field (with `prefix`, e.g. "query"). */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  what: string,
  prefix = '',
): FieldIssue[] {
  return issues.flatMap((issue): FieldIssue[] => {
    const at = pathToField(issue.path);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        // An empty key must still be visible in the message and in details.field.
        const field = join(prefix, join(at, key === '' ? '""' : key));
        return {
          field,
          message: `Failed to ${what}: ${field} is not a known field. Expected only the fields documented in /api/openapi.json.`,
        };
      });
    }
    const field = join(prefix, at) || '(body)';
    const value = valueAt(data, issue.path);
    if (issue.code === 'custom') {
      const problem = value === undefined ? 'is missing' : `is ${show(value)}`;
      return [{ field, message: `Failed to ${what}: ${field} ${problem}. ${issue.message}` }];
    }
    if (value === undefined && at === '' && issue.code === 'invalid_type') {
      return [{ field, message: `Failed to ${what}: the body is missing. Expected a JSON object.` }];
    }
    const v = issuesToViolations([issue], data, 'request', what, prefix)[0]!;
    return [{ field, message: v.message }];
  });
}

/** Parses `raw` with `schema` or throws a 400 validation_failed naming the field. */
export function validate<S extends z.ZodType>(schema: S, raw: unknown, what: string, prefix = ''): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw validationError(describeIssues(result.error.issues, raw, what, prefix));
}

export function validationError(issues: FieldIssue[]): ApiError {
  const first = issues[0] ?? {
    field: '(body)',
    message: 'Failed to read the request: it is invalid. Expected the documented form.',
  };
  const more =
    issues.length > 1 ? ` (${issues.length - 1} more problem${issues.length > 2 ? 's' : ''} in details.issues)` : '';
  return new ApiError('validation_failed', `${first.message}${more}`, { field: first.field, issues });
}

/** Path parameters: which are int64 ids, what each names (for messages and OpenAPI). */
export const PATH_PARAMS: Record<string, { description: string; int64: boolean }> = {
  ws: { description: 'workspace id (int64, decimal digits)', int64: true },
  user: { description: 'user id (int64, decimal digits)', int64: true },
  partner: { description: 'partner id (the slug of its name, see GET /api/partners)', int64: false },
  id: { description: 'exchange id (see GET /api/journal)', int64: false },
  journey: { description: 'journey id (P100 … P900, AUTH)', int64: false },
  run: { description: 'run id (see POST /api/runs)', int64: false },
};

/** Checks and normalises path parameters (int64 ids to canonical decimal strings). */
export function parsePathParams(
  params: Record<string, string | string[] | undefined>,
  what: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(params)) {
    const value = Array.isArray(raw) ? raw.join('/') : (raw ?? '');
    if (PATH_PARAMS[key]?.int64) {
      const id = toInt64(value);
      if (id === undefined) {
        throw validationError([
          {
            field: key,
            message: `Failed to ${what}: path parameter ${key} is ${show(value)}. Expected a ${PATH_PARAMS[key]!.description}.`,
          },
        ]);
      }
      out[key] = id;
    } else out[key] = value;
  }
  return out;
}
