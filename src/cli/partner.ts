/** `pcsim partner`: the reference partner alone, for trying pcsim or as a model to compare with. */
import { NEW_USER_ACTIONS, TRIAL_TYPES, type NewUserAction, type TrialType } from '../contract/enums.js';
import { stringifyJson } from '../contract/json.js';
import { FAULTS, type Fault } from '../reference-partner/types.js';
import { startReferencePartner } from '../reference-partner/index.js';
import { credentialsFromEnv } from './credentials.js';
import { parsePort, UsageError, type CliIO } from './io.js';

export interface PartnerFlags {
  port: string;
  host: string;
  newUserAction?: string;
  trialType?: string;
  manualSignup?: boolean;
  demo?: boolean;
  fault: string[];
  printConfig?: boolean;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`Failed to read ${flag} ${JSON.stringify(value)}: expected one of ${allowed.join(', ')}.`);
  return value as T;
}

export async function partnerCommand(flags: PartnerFlags, io: CliIO, signal: Promise<void>): Promise<number> {
  const faults = flags.fault.flatMap((f) => f.split(',')).map((f) => f.trim()).filter(Boolean);
  for (const f of faults) oneOf('--fault', f, FAULTS);
  const env = credentialsFromEnv(io.env);
  const ref = await startReferencePartner({
    port: parsePort('--port', flags.port),
    host: flags.host,
    basicUser: env.credentials.user,
    basicPassword: env.credentials.password,
    newUserAction: oneOf<NewUserAction>('--new-user-action', flags.newUserAction, NEW_USER_ACTIONS),
    trialType: oneOf<TrialType>('--trial-type', flags.trialType, TRIAL_TYPES),
    requireManualSignup: flags.manualSignup,
    supportsDemo: flags.demo,
    faults: faults as Fault[],
  });
  if (flags.printConfig) io.out(`${stringifyJson(ref.config, 2)}\n`);
  io.err(`pcsim: reference partner listening on ${ref.url}${faults.length ? ` with faults ${faults.join(', ')}` : ''} (Basic user ${env.credentials.user}; password from BASIC_PASSWORD${env.defaulted ? ', default' : ''}). Ctrl-C stops it.\n`);
  await signal;
  await ref.close();
  return 0;
}
