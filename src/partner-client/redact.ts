/**
 * Secrets never reach logs, reports or the journal in clear text (DESIGN.md). Redaction happens
 * once, where an exchange is recorded; everything downstream sees only the redacted copy.
 */
export const REDACTED = '***redacted***';

/** Body fields that hold a secret wherever they appear. */
const SECRET_KEYS = new Set([
  'personal_access_token',
  'service_principal_oauth_secret',
  'client_secret',
  'access_token',
  'refresh_token',
  'password',
  'token',
  'pat',
]);

export interface Redactor {
  headers(h: Record<string, string>): Record<string, string>;
  body<T>(value: T): T;
  text(s: string): string;
}

/** `secrets` are known secret values (Basic password, PATs…) scrubbed from any string. */
export function createRedactor(secrets: Iterable<string | undefined>, enabled = true): Redactor {
  const known = [...new Set([...secrets].filter((s): s is string => typeof s === 'string' && s.length >= 4))].sort(
    (a, b) => b.length - a.length,
  );
  const text = (s: string) => {
    if (!enabled) return s;
    let out = s;
    for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
  const body = <T>(value: T): T => {
    if (!enabled) return value;
    const walk = (v: unknown, key?: string): unknown => {
      if (key !== undefined && SECRET_KEYS.has(key.toLowerCase()) && typeof v === 'string' && v !== '') return REDACTED;
      if (typeof v === 'string') return text(v);
      if (Array.isArray(v)) return v.map((x) => walk(x));
      if (v && typeof v === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
        return out;
      }
      return v;
    };
    return walk(value) as T;
  };
  const headers = (h: Record<string, string>) => {
    if (!enabled) return { ...h };
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(h)) {
      const lower = k.toLowerCase();
      if (lower === 'authorization' || lower === 'proxy-authorization')
        out[k] = `${v.split(' ')[0] ?? ''} ${REDACTED}`.trim();
      else if (lower === 'cookie' || lower === 'set-cookie') out[k] = REDACTED;
      else out[k] = text(v);
    }
    return out;
  };
  return { headers, body, text };
}
