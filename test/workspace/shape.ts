/**
 * Compares an answer with a documented response (test/workspace/fixtures/*.json): every field of
 * the documented body must be there with the same JSON type (recursively; an array's documented
 * first item is the shape of every item), enum fields must hold a documented value, pattern
 * fields must match. Returns the differences, each with its path.
 */
export interface Fixture {
  source: string;
  request: string;
  status: number;
  body: unknown;
  /** The body must be equal, not only alike. */
  exact?: boolean;
  enums?: Record<string, string[]>;
  patterns?: Record<string, string>;
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

export function shapeDiff(documented: unknown, actual: unknown, path = ''): string[] {
  const [dt, at] = [typeOf(documented), typeOf(actual)];
  if (dt !== at) return [`${path || '(body)'}: documented ${dt}, got ${at}`];
  if (dt === 'array') {
    const d = documented as unknown[];
    const a = actual as unknown[];
    if (d.length === 0) return [];
    if (a.length === 0) return [`${path}: documented items, got an empty array`];
    return a.flatMap((item, i) => shapeDiff(d[0], item, `${path}[${i}]`));
  }
  if (dt === 'object') {
    const d = documented as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    return Object.keys(d).flatMap((k) =>
      k in a
        ? shapeDiff(d[k], a[k], path ? `${path}.${k}` : k)
        : [`${path ? `${path}.` : ''}${k}: documented, missing`],
    );
  }
  return [];
}

/** The values at a path like `catalogs[].catalog_type` (`[]`: every item). */
export function valuesAt(body: unknown, path: string): unknown[] {
  let cur: unknown[] = [body];
  for (const part of path.split('.')) {
    const many = part.endsWith('[]');
    const key = many ? part.slice(0, -2) : part;
    cur = cur.map((x) => (x as Record<string, unknown> | undefined)?.[key]).filter((x) => x !== undefined);
    if (many) cur = cur.flatMap((x) => (Array.isArray(x) ? x : []));
  }
  return cur;
}

export function fixtureDiff(f: Fixture, status: number, body: unknown): string[] {
  const out: string[] = [];
  if (status !== f.status) out.push(`status: documented ${f.status}, got ${status}`);
  if (f.exact && JSON.stringify(body) !== JSON.stringify(f.body))
    out.push(`body: documented ${JSON.stringify(f.body)}, got ${JSON.stringify(body)}`);
  out.push(...shapeDiff(f.body, body));
  for (const [path, allowed] of Object.entries(f.enums ?? {})) {
    const vals = valuesAt(body, path);
    if (vals.length === 0) out.push(`${path}: no value to check`);
    for (const v of vals)
      if (!allowed.includes(String(v)))
        out.push(`${path}: ${JSON.stringify(v)} is not a documented value (${allowed.join(', ')})`);
  }
  for (const [path, re] of Object.entries(f.patterns ?? {})) {
    for (const v of valuesAt(body, path))
      if (!new RegExp(re).test(String(v))) out.push(`${path}: ${JSON.stringify(v)} does not match ${re}`);
  }
  return out;
}
