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

/**
 * `secrets` are known secret values (Basic password, PATs…) scrubbed from any string. A class, not
 * closures: one is made per call to a partner, thousands a second under `pcsim load`.
 */
class SecretRedactor implements Redactor {
  private readonly known: string[] = [];

  constructor(
    secrets: Iterable<string | undefined>,
    private readonly enabled: boolean,
  ) {
    for (const s of secrets) if (typeof s === 'string' && s.length >= 4 && !this.known.includes(s)) this.known.push(s);
    this.known.sort((a, b) => b.length - a.length); // the longest first: a secret containing another is scrubbed whole
  }

  text(s: string): string {
    if (!this.enabled) return s;
    let out = s;
    for (const secret of this.known) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  body<T>(value: T): T {
    return this.enabled ? (this.walk(value) as T) : value;
  }

  private walk(v: unknown, key?: string): unknown {
    if (key !== undefined && SECRET_KEYS.has(key.toLowerCase()) && typeof v === 'string' && v !== '') return REDACTED;
    if (typeof v === 'string') return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x));
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(o)) out[k] = this.walk(o[k], k);
      return out;
    }
    return v;
  }

  headers(h: Record<string, string>): Record<string, string> {
    if (!this.enabled) return { ...h };
    const out: Record<string, string> = {};
    for (const k of Object.keys(h)) {
      const v = h[k]!;
      const lower = k.toLowerCase();
      if (lower === 'authorization' || lower === 'proxy-authorization')
        out[k] = `${v.split(' ')[0] ?? ''} ${REDACTED}`.trim();
      else if (lower === 'cookie' || lower === 'set-cookie') out[k] = REDACTED;
      else out[k] = this.text(v);
    }
    return out;
  }
}

export function createRedactor(secrets: Iterable<string | undefined>, enabled = true): Redactor {
  return new SecretRedactor(secrets, enabled);
}
