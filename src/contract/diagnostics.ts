/**
 * Errors are values. A judgement of a partner's answer, or of a file a person wrote, is a list
 * of diagnostics; nothing here throws at the user.
 */
import type { z } from 'zod';

export type Severity = 'error' | 'warning';

/** One finding. `rule` is a stable id (see rules.ts), `field` a dotted path, `message` reads "Failed to …: … Expected …". */
export interface Violation {
  rule: string;
  field: string;
  message: string;
  severity: Severity;
  /** What the rule wanted and what the partner sent, for reports that show them side by side. */
  expected?: string;
  received?: string;
}

export const violation = (
  rule: string,
  field: string,
  message: string,
  severity: Severity = 'error',
  diff?: { expected: string; received: string },
): Violation => ({
  rule,
  field,
  message,
  severity,
  ...diff,
});

export const errorsOnly = (vs: readonly Violation[]) => vs.filter((v) => v.severity === 'error');

export function pathToField(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/** Shows a value the way a person reads it in a message (strings quoted, long ones cut). */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (typeof value === 'bigint') return value.toString();
  let text: string;
  try {
    text =
      typeof value === 'string'
        ? JSON.stringify(value)
        : JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    text = String(value);
  }
  if (text === undefined) text = String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function get(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key as string];
  }
  return cur;
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `one of ${issue.values.map((v) => show(v)).join(', ')}`;
    case 'invalid_type':
      return `a value of type ${issue.expected}`;
    case 'invalid_format':
      // A regex has no name a person knows; the schema's own message says what it wants.
      return issue.format === 'regex' ? `a value that ${issue.message}` : `a valid ${issue.format}`;
    case 'too_small':
      return issue.origin === 'string' ? 'a non-empty string' : `at least ${String(issue.minimum)}`;
    case 'too_big':
      return `at most ${String(issue.maximum)}`;
    case 'invalid_union':
      return 'a value of one of the allowed forms';
    default:
      return issue.message;
  }
}

/** An enum value in the wrong case gets a hint: the contract's values are case-sensitive. */
function caseHint(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code !== 'invalid_value' || typeof value !== 'string') return '';
  const match = issue.values.find((v) => typeof v === 'string' && v.toLowerCase() === value.toLowerCase());
  return match === undefined ? '' : ` (values are case-sensitive: write ${show(match)}, not ${show(value)})`;
}

/**
 * Turns zod issues into violations whose message names the field, the value and what was expected.
 * `what` completes "Failed to …" (e.g. "validate the Connect response").
 */
export function issuesToViolations(
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  rulePrefix: string,
  what: string,
  fieldPrefix = '',
): Violation[] {
  return issues.map((issue) => {
    const field = [fieldPrefix, pathToField(issue.path)].filter(Boolean).join('.') || '(body)';
    const value = get(data, issue.path);
    const missing = value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
    const rule = `${rulePrefix}.${missing ? 'required' : issue.code === 'invalid_value' ? 'enum' : issue.code === 'custom' ? 'value' : 'type'}`;
    if (issue.code === 'unrecognized_keys') {
      return violation(
        `${rulePrefix}.unknown_field`,
        field,
        `Failed to ${what}: unknown field(s) ${issue.keys.join(', ')}. Expected only the fields of the contract.`,
        'warning',
      );
    }
    const diff = { expected: expectation(issue), received: show(value) };
    const message = missing
      ? `Failed to ${what}: ${field} is missing. Expected ${expectation(issue)}.`
      : issue.code === 'custom'
        ? `Failed to ${what}: ${field} is ${show(value)}: ${issue.message}`
        : `Failed to ${what}: ${field} is ${show(value)}. Expected ${expectation(issue)}${caseHint(issue, value)}.`;
    return violation(rule, field, message, 'error', diff);
  });
}
