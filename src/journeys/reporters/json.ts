/**
 * The JSON report of DESIGN.md. Keys are written in the documented order whatever order the
 * runner built them in, so reports diff cleanly between runs; keys the format does not name
 * are kept after the documented ones rather than dropped. Bodies are left untouched.
 */
import { stringifyJson } from '../../contract/json.js';
import type { JourneyReport, RunReport, StepReport } from '../types.js';

type Obj = Record<string, unknown>;

/** Copies `o` with `keys` first, in that order, then any other keys; undefined values are left out. */
function ordered(o: object, keys: readonly string[], map: Record<string, (v: unknown) => unknown> = {}): Obj {
  const src = o as Obj;
  const out: Obj = {};
  for (const k of [...keys, ...Object.keys(src).filter((k) => !keys.includes(k))]) {
    const v = src[k];
    if (v === undefined) continue;
    const f = map[k];
    out[k] = f ? f(v) : v;
  }
  return out;
}

const asObj = (f: (v: never) => unknown) => (v: unknown) => (v !== null && typeof v === 'object' ? f(v as never) : v);
const asArr = (f: (v: never) => unknown) => (v: unknown) => (Array.isArray(v) ? v.map((x) => f(x as never)) : v);

function step(s: StepReport): Obj {
  return ordered(
    s,
    ['name', 'request', 'response', 'error', 'duration_ms', 'attempts', 'attempt_log', 'redirect', 'violations'],
    {
      request: asObj((q: object) => ordered(q, ['method', 'url', 'headers', 'body'])),
      response: asObj((p: object) => ordered(p, ['status', 'headers', 'body'])),
      violations: asArr((v: object) => ordered(v, ['rule', 'field', 'message', 'severity'])),
    },
  );
}

function journey(j: JourneyReport): Obj {
  return ordered(j, ['id', 'title', 'status', 'reason', 'duration_ms', 'steps', 'manual_checks'], {
    steps: asArr(step),
  });
}

/** The run report as pretty JSON (2 spaces), int64 ids as exact digits, ending with a newline. */
export function renderJson(r: RunReport): string {
  const doc = ordered(r, ['tool', 'version', 'partner', 'started_at', 'duration_ms', 'summary', 'journeys'], {
    partner: asObj((p: object) => ordered(p, ['name', 'base_url'])),
    summary: asObj((s: object) => ordered(s, ['passed', 'failed', 'skipped', 'manual', 'total'])),
    journeys: asArr(journey),
  });
  return `${stringifyJson(doc, 2)}\n`;
}
