/** Which partner a command talks to: the --partner file, or the built-in reference partner started for it. */
import { loadPartnerConfig, type PartnerConfig } from '../contract/partner-config.js';
import { startReferencePartner, type ReferencePartnerOptions } from '../reference-partner/index.js';
import type { EnvCredentials } from './credentials.js';
import type { CliIO } from './io.js';
import { formatProblems } from './problems.js';

export interface Target {
  config: PartnerConfig;
  /** Stops the reference partner when one was started. */
  stop?: () => Promise<void>;
}

/** Undefined when the file cannot be used (the problems were printed: exit 2). */
export async function resolveTarget(
  file: string | undefined,
  env: EnvCredentials,
  io: CliIO,
  what: string,
  reference: ReferencePartnerOptions = {},
): Promise<Target | undefined> {
  if (file) {
    const loaded = await loadPartnerConfig(file);
    for (const w of loaded.warnings) io.err(`pcsim: warning: ${w.message}\n`);
    if (!loaded.ok) {
      io.err(formatProblems(file, loaded.problems));
      return undefined;
    }
    if (env.defaulted)
      io.err(
        "pcsim: warning: BASIC_USER/BASIC_PASSWORD are not both set; sending the reference partner's default credentials. Set them to the Basic credentials your partner issued to Databricks.\n",
      );
    return { config: loaded.config };
  }
  const ref = await startReferencePartner({
    ...reference,
    basicUser: env.credentials.user,
    basicPassword: env.credentials.password,
  });
  io.err(`pcsim: no --partner given: ${what} the built-in reference partner at ${ref.url}\n`);
  return { config: ref.config, stop: ref.close };
}
