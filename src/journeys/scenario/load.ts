/**
 * Reading a scenario file (YAML or JSON: the YAML parser reads both and keeps positions), then
 * validating it completely before anything is sent: the zod schema, then what a schema cannot
 * say — one action per step, known workspace and user names, membership, variables defined
 * before use, no cycles between variables. Every problem names file:line:col, the path and
 * the value.
 */
import { readFile } from 'node:fs/promises';
import { closest } from 'fastest-levenshtein';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { pathToField, show } from '../../contract/diagnostics.js';
import { ACTION_NAMES, actionOf, BUILTIN_VARIABLES, Scenario, type Step } from './schema.js';

export interface ScenarioProblem {
  file: string;
  line: number;
  col: number;
  /** Dotted path inside the file (steps[2].connect.user). */
  path: string;
  message: string;
}

export type LoadResult =
  | {
      ok: true;
      scenario: Scenario;
      file: string;
      /** where `name` is, for problems found later */ nameAt: { line: number; col: number };
    }
  | { ok: false; problems: ScenarioProblem[] };

export const formatProblem = (p: ScenarioProblem) =>
  `${p.file}:${p.line}:${p.col}: ${p.path || '(file)'}: ${p.message}`;

/** Several loaded files as one set: every problem of every file, plus names used twice (each name is a report entry). */
export function collectScenarios(
  results: LoadResult[],
  taken: readonly string[] = [],
): { ok: true; scenarios: Scenario[] } | { ok: false; problems: ScenarioProblem[] } {
  const problems: ScenarioProblem[] = [];
  const scenarios: Scenario[] = [];
  // Ids of catalogue journeys in the same run: a scenario may not take one (P301.yaml next to --journeys P301).
  const seen = new Map<string, string>(taken.map((id) => [id, `journey ${id} of this run`]));
  for (const r of results) {
    if (!r.ok) {
      problems.push(...r.problems);
      continue;
    }
    const other = seen.get(r.scenario.name);
    if (other)
      problems.push({
        file: r.file,
        ...r.nameAt,
        path: 'name',
        message: `Failed to add scenario ${JSON.stringify(r.scenario.name)}: ${other} has the same name. Expected unique names (each is a report entry).`,
      });
    seen.set(r.scenario.name, r.file);
    scenarios.push(r.scenario);
  }
  return problems.length ? { ok: false, problems } : { ok: true, scenarios };
}

export class ScenarioError extends Error {
  constructor(readonly problems: ScenarioProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

const VAR = /\$\{([^}]*)\}/g;

/** The `${names}` a string uses. */
export function variablesIn(s: string): string[] {
  return [...s.matchAll(VAR)].map((m) => m[1]!);
}

/** A `${name}` with no value when a step runs (the load check makes this rare: see the runner's `when` case). */
export class UnfilledVariable extends Error {
  constructor(readonly variable: string) {
    super(`Failed to fill \${${variable}}: the variable has no value. Expected it to be defined before this step.`);
  }
}

/** Replaces `${name}`; a name without a value throws (the load check rules that out, but for `when`). */
export function interpolate(s: string, vars: ReadonlyMap<string, string>): string {
  return s.replace(VAR, (_m, name: string) => {
    const v = vars.get(name);
    if (v === undefined) throw new UnfilledVariable(name);
    return v;
  });
}

type Path = (string | number)[];

class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly file: string,
  ) {}

  /** The position of the node at `path` (or its key, when `key` is set), else of the nearest parent. */
  at(path: Path, message: string, key?: string): ScenarioProblem {
    let offset = 0;
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as Node | undefined;
      if (n === path.length && key !== undefined && isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
        const k = pair?.key as Node | undefined;
        if (k?.range) {
          offset = k.range[0];
          break;
        }
      }
      if (node && (node as Node).range) {
        offset = (node as Node).range![0];
        break;
      }
      if (n === 0 && this.doc.contents?.range) offset = this.doc.contents.range[0];
    }
    const pos = this.lines.linePos(offset);
    const full = key !== undefined ? [...path, key] : path;
    return { file: this.file, line: pos.line, col: pos.col, path: pathToField(full), message };
  }
}

/** Parses and validates scenario text; `file` is only for messages. */
export function parseScenario(text: string, file: string): LoadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return {
          file,
          line: pos.line,
          col: pos.col,
          path: '',
          message: `Failed to parse the file: ${e.message.split('\n')[0]}. Expected valid YAML or JSON.`,
        };
      }),
    };
  }
  const loc = new Locator(doc, lines, file);
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      ok: false,
      problems: [
        loc.at(
          [],
          `Failed to read the scenario: the file holds ${show(raw)}. Expected a mapping with name, workspaces, users and steps.`,
        ),
      ],
    };
  }

  const parsed = Scenario.safeParse(raw);
  if (!parsed.success) {
    const problems: ScenarioProblem[] = [];
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      const value = getIn(raw, path);
      if (issue.code === 'unrecognized_keys') {
        const inStep = path.length === 2 && path[0] === 'steps';
        for (const k of issue.keys) {
          const known = inStep ? ACTION_NAMES : [];
          const message = inStep
            ? `Failed to read the step: ${show(k)} is not a step or step field. Expected one of ${ACTION_NAMES.join(', ')} (did you mean ${closest(k, [...known, 'name', 'expect', 'save', 'when'])}?), plus name, expect, save, when.`
            : `Failed to read ${pathToField(path) || 'the scenario'}: ${show(k)} is not a known field. Expected only the fields of the scenario format.`;
          problems.push(loc.at(path, message, k));
        }
        continue;
      }
      problems.push(
        loc.at(
          path,
          `Failed to read ${pathToField(path) || 'the scenario'}: the value is ${show(value)}. Expected ${expectedOf(issue)}.`,
        ),
      );
    }
    // Steps that failed the schema are left out, and the rest still checked, so one run lists every mistake.
    const badSteps = new Set(
      parsed.error.issues
        .filter((i) => i.path[0] === 'steps' && typeof i.path[1] === 'number')
        .map((i) => i.path[1] as number),
    );
    if (parsed.error.issues.every((i) => i.path[0] === 'steps' && typeof i.path[1] === 'number')) {
      const steps = (raw as { steps: unknown[] }).steps.map((st, i) =>
        badSteps.has(i) ? { wait: { ms: 0 }, ...savesOf(st) } : st,
      );
      const rest = Scenario.safeParse({ ...raw, steps });
      if (rest.success) problems.push(...checkReferences(rest.data, loc, badSteps));
      problems.sort((a, b) => a.line - b.line || a.col - b.col);
    }
    return { ok: false, problems };
  }
  const problems = checkReferences(parsed.data, loc);
  if (problems.length) return { ok: false, problems };
  const { line, col } = loc.at(['name'], '');
  return { ok: true, scenario: parsed.data, file, nameAt: { line, col } };
}

export async function loadScenarioFile(file: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return {
      ok: false,
      problems: [
        {
          file,
          line: 1,
          col: 1,
          path: '',
          message: `Failed to read the scenario file: ${code}. Expected a readable YAML or JSON file.`,
        },
      ],
    };
  }
  const parsed = parseScenario(text, file);
  if (parsed.ok) FILES.set(parsed.scenario, file);
  return parsed;
}

/** The file each scenario read from disk came from (a failed journey's re-run command names it). */
const FILES = new WeakMap<Scenario, string>();
export const fileOf = (s: Scenario): string | undefined => FILES.get(s);

/** The `save` of a step that failed the schema, when it is usable: its names still count as defined. */
function savesOf(step: unknown): { save?: Record<string, string> } {
  const save = (step as { save?: unknown } | null)?.save;
  if (!save || typeof save !== 'object' || Array.isArray(save)) return {};
  const ok = Object.entries(save).filter(
    ([k, v]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && typeof v === 'string' && v !== '',
  );
  return ok.length ? { save: Object.fromEntries(ok) as Record<string, string> } : {};
}

function getIn(root: unknown, path: Path): unknown {
  let cur = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

function expectedOf(issue: {
  code: string;
  message: string;
  expected?: unknown;
  values?: unknown[];
  minimum?: unknown;
  maximum?: unknown;
}): string {
  switch (issue.code) {
    case 'invalid_type':
      return `a value of type ${String(issue.expected)}`;
    case 'invalid_value':
      return `one of ${(issue.values ?? []).map((v) => show(v)).join(', ')}`;
    case 'invalid_format':
      return issue.message.replace(/^Invalid string: /, '');
    case 'too_small':
      return `at least ${String(issue.minimum)} (${issue.message})`;
    case 'too_big':
      return `at most ${String(issue.maximum)}`;
    case 'invalid_union':
      return 'one of the allowed values or a list of them';
    default:
      return issue.message;
  }
}

/** Names, membership, one action per step, variables defined before use and without cycles. */
function checkReferences(s: Scenario, loc: Locator, skip: ReadonlySet<number> = new Set()): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const wsNames = new Map<string, number>();
  s.workspaces.forEach((w, i) => {
    if (wsNames.has(w.name))
      problems.push(
        loc.at(
          ['workspaces', i, 'name'],
          `Failed to name workspace ${i}: ${show(w.name)} is already workspaces[${wsNames.get(w.name)}]. Expected unique workspace names.`,
        ),
      );
    else wsNames.set(w.name, i);
  });
  const users = new Map<string, { index: number; member_of: string[] }>();
  s.users.forEach((u, i) => {
    if (users.has(u.name))
      problems.push(
        loc.at(
          ['users', i, 'name'],
          `Failed to name user ${i}: ${show(u.name)} is already users[${users.get(u.name)!.index}]. Expected unique user names.`,
        ),
      );
    else users.set(u.name, { index: i, member_of: u.member_of });
    u.member_of.forEach((w, j) => {
      if (!wsNames.has(w))
        problems.push(loc.at(['users', i, 'member_of', j], unknownName('workspace', w, [...wsNames.keys()])));
    });
  });

  // Variables: the scenario's own may use built-ins and each other, without cycles.
  const declared = new Map(Object.entries(s.variables ?? {}));
  const builtins = new Set<string>(BUILTIN_VARIABLES);
  for (const [name] of declared) {
    if (builtins.has(name))
      problems.push(
        loc.at(
          ['variables'],
          `Failed to declare variable ${show(name)}: it is a built-in. Expected a name other than ${BUILTIN_VARIABLES.join(', ')}.`,
          name,
        ),
      );
  }
  const cycle = findCycle(declared);
  if (cycle)
    problems.push(
      loc.at(
        ['variables'],
        `Failed to resolve variables: ${cycle.join(' → ')} is a cycle. Expected each variable to be defined without referring back to itself.`,
        cycle[0],
      ),
    );
  const staticVars = new Set([...builtins, ...declared.keys()]);
  for (const [name, value] of declared) {
    for (const v of variablesIn(value))
      if (!staticVars.has(v)) problems.push(loc.at(['variables', name], undefinedVar(v, 'this variable', staticVars)));
  }
  const checkStrings = (value: unknown, path: Path, known: Set<string>) => {
    if (typeof value === 'string') {
      for (const v of variablesIn(value))
        if (!known.has(v)) problems.push(loc.at(path, undefinedVar(v, pathToField(path), known)));
    } else if (Array.isArray(value)) value.forEach((x, i) => checkStrings(x, [...path, i], known));
    else if (value && typeof value === 'object')
      for (const [k, x] of Object.entries(value)) checkStrings(x, [...path, k], known);
  };
  checkStrings(s.workspaces, ['workspaces'], staticVars);
  checkStrings(s.users, ['users'], staticVars);

  const known = new Set(staticVars);
  s.steps.forEach((step: Step, i) => {
    if (skip.has(i)) {
      for (const name of Object.keys(step.save ?? {})) known.add(name);
      return;
    }
    const present = ACTION_NAMES.filter((a) => step[a] !== undefined);
    if (present.length !== 1) {
      problems.push(
        loc.at(
          ['steps', i],
          present.length === 0
            ? `Failed to read step ${i + 1}: it has no action. Expected exactly one of ${ACTION_NAMES.join(', ')}.`
            : `Failed to read step ${i + 1}: it has ${present.length} actions (${present.join(', ')}). Expected exactly one per step.`,
        ),
      );
      return;
    }
    const { action, args } = actionOf(step);
    const ws = args.workspace as string | undefined;
    const user = args.user as string | undefined;
    if (ws !== undefined && !wsNames.has(ws))
      problems.push(loc.at(['steps', i, action, 'workspace'], unknownName('workspace', ws, [...wsNames.keys()])));
    ((args.workspaces as string[] | undefined) ?? []).forEach((w, j) => {
      if (!wsNames.has(w))
        problems.push(loc.at(['steps', i, action, 'workspaces', j], unknownName('workspace', w, [...wsNames.keys()])));
    });
    if (user !== undefined) {
      const u = users.get(user);
      if (!u) problems.push(loc.at(['steps', i, action, 'user'], unknownName('user', user, [...users.keys()])));
      else if (ws !== undefined && wsNames.has(ws) && !u.member_of.includes(ws)) {
        problems.push(
          loc.at(
            ['steps', i, action, 'user'],
            `Failed to use user ${show(user)} in workspace ${show(ws)}: the user is not a member (member_of: ${u.member_of.join(', ')}). Expected ${ws} in users[${u.index}].member_of.`,
          ),
        );
      }
    }
    // A step that sends nothing to the partner has no answer: an expect or save there would be ignored or fail late.
    const silent =
      action === 'set_demo' ||
      action === 'wait' ||
      action === 'core_integration' ||
      (action === 'delete_connection' && args.notify_partner === false);
    if (silent) {
      const what = action === 'delete_connection' ? 'delete_connection with notify_partner: false' : action;
      for (const field of ['expect', 'save'] as const) {
        if (step[field] !== undefined) {
          problems.push(
            loc.at(
              ['steps', i, field],
              `Failed to use ${field} on this step: ${what} sends nothing to the partner, so there is no answer to ${field === 'expect' ? 'judge' : 'save from'}. Expected ${field} only on steps that call the partner (connect, signin, delete_connection, partner_delete_connection, delete_account, expire, test_connection, connectors).`,
            ),
          );
        }
      }
    }
    if (step.expect?.demo_flow !== undefined && action !== 'connect') {
      problems.push(
        loc.at(
          ['steps', i, 'expect', 'demo_flow'],
          `Failed to use demo_flow on a ${action} step: the demo flow applies to new connections only (CONTRACT §7; Databricks' DemoFlowTests validates a demo sign-in as an ordinary sign-in). Expected demo_flow only on connect steps.`,
        ),
      );
    }
    checkStrings(
      { [action]: args, ...(step.expect ? { expect: step.expect } : {}), ...(step.name ? { name: step.name } : {}) },
      ['steps', i],
      known,
    );
    for (const name of Object.keys(step.save ?? {})) {
      if (builtins.has(name))
        problems.push(
          loc.at(
            ['steps', i, 'save'],
            `Failed to save into ${show(name)}: it is a built-in variable. Expected another name.`,
            name,
          ),
        );
      known.add(name);
    }
  });
  return problems;
}

function unknownName(kind: 'workspace' | 'user', name: string, known: string[]): string {
  const hint = known.length ? ` (did you mean ${show(closest(name, known))}?)` : '';
  return `Failed to find ${kind} ${show(name)}: no ${kind} of this scenario has that name${hint}. Expected one of ${known.map((k) => show(k)).join(', ') || `a ${kind} declared under ${kind}s`}.`;
}

function undefinedVar(name: string, where: string, known: Set<string>): string {
  return `Failed to fill \${${name}} in ${where}: the variable is not defined at this point. Expected a built-in (${BUILTIN_VARIABLES.join(', ')}), a key of variables, or a name saved by an earlier step${known.size ? ` (known here: ${[...known].join(', ')})` : ''}.`;
}

/** The first cycle among variables that refer to each other, as a path a → b → a. */
function findCycle(vars: Map<string, string>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done' || !vars.has(name)) return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of variablesIn(vars.get(name)!)) {
      const c = visit(dep);
      if (c) return c;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of vars.keys()) {
    const c = visit(name);
    if (c) return c;
  }
  return undefined;
}

/** Resolves the scenario's variables (built-ins given), in dependency order. */
export function resolveVariables(
  declared: Record<string, string> | undefined,
  builtins: Record<string, string>,
): Map<string, string> {
  const out = new Map(Object.entries(builtins));
  const pending = new Map(Object.entries(declared ?? {}));
  const resolve = (name: string): string => {
    const known = out.get(name);
    if (known !== undefined) return known;
    const raw = pending.get(name);
    if (raw === undefined)
      throw new Error(
        `Failed to fill \${${name}}: the variable is not defined. Expected a built-in or a key of variables.`,
      );
    pending.delete(name); // a cycle would end here, but load.ts refused cycles already
    const value = raw.replace(VAR, (_m, dep: string) => resolve(dep));
    out.set(name, value);
    return value;
  };
  for (const name of [...pending.keys()]) resolve(name);
  return out;
}
