/**
 * Secrets at rest: Databricks keeps only a SHA-256 digest of the PATs and OAuth secrets it
 * issued. The clear value exists once, in the Connect request that hands it to the partner;
 * afterwards a presented token is recognised by its digest, so the state file never holds it.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { Resources } from './model.js';

// One-shot hash (UTF-8 of the string): no Hash object per digest, one per Connect and per PAT check.
export const digestSecret = (secret: string): string => hash('sha256', secret, 'hex');

/** Whether `presented` is the secret whose digest is `digest` (constant time). */
export function secretMatches(digest: string | undefined, presented: string): boolean {
  if (!digest) return false;
  const a = Buffer.from(digest, 'hex');
  const b = Buffer.from(digestSecret(presented), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The resources as stored: digests instead of the PAT and OAuth secret. */
export function sealResources(r: Resources): Resources {
  // Copied key by key, as `{ pat, oauth_secret, ...rest }` did (same keys, same order): object rest
  // runs V8's slow generic copy, a few µs on every Connect of a load run.
  const out: Record<string, unknown> = {};
  const from = r as unknown as Record<string, unknown>;
  for (const k of Object.keys(from)) if (k !== 'pat' && k !== 'oauth_secret') out[k] = from[k];
  if (r.pat !== undefined) out.pat_sha256 = digestSecret(r.pat);
  if (r.oauth_secret !== undefined) out.oauth_secret_sha256 = digestSecret(r.oauth_secret);
  return out as unknown as Resources;
}
