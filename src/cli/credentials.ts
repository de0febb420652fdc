/** Credentials come from the environment, as in the official suite (BASIC_USER, BASIC_PASSWORD, PAT_TOKEN). */
import type { Credentials } from '../partner-client/client.js';
import { DEFAULT_BASIC_PASSWORD, DEFAULT_BASIC_USER } from '../reference-partner/types.js';

export interface EnvCredentials {
  credentials: Credentials;
  patToken?: string;
  /** Set when the defaults were used because the environment had none. */
  defaulted: boolean;
}

export function credentialsFromEnv(env: NodeJS.ProcessEnv): EnvCredentials {
  // Empty counts as unset: a CI secret that is not defined expands to "" (and gets the warning).
  const user = env.BASIC_USER || undefined;
  const password = env.BASIC_PASSWORD || undefined;
  return {
    credentials: { user: user ?? DEFAULT_BASIC_USER, password: password ?? DEFAULT_BASIC_PASSWORD },
    patToken: env.PAT_TOKEN || undefined,
    defaulted: user === undefined || password === undefined,
  };
}
