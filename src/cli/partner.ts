/** `pcsim partner`: the reference partner alone, for trying pcsim or as a model to compare with. */
import { NEW_USER_ACTIONS, TRIAL_TYPES, type NewUserAction, type TrialType } from '../contract/enums.js';
import { stringifyJson } from '../contract/json.js';
import { FAULTS, type Fault } from '../reference-partner/types.js';
import { createReferencePartnerApp, startReferencePartner } from '../reference-partner/index.js';
import { freePort, urlHost } from './ports.js';
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
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`Failed to read ${flag} ${JSON.stringify(value)}: expected one of ${allowed.join(', ')}.`);
  return value as T;
}

export async function partnerCommand(flags: PartnerFlags, io: CliIO, signal: Promise<void>): Promise<number> {
  const faults = flags.fault
    .flatMap((f) => f.split(','))
    .map((f) => f.trim())
    .filter(Boolean);
  for (const f of faults) oneOf('--fault', f, FAULTS);
  const env = credentialsFromEnv(io.env);
  const port = parsePort('--port', flags.port);
  const options = {
    basicUser: env.credentials.user,
    basicPassword: env.credentials.password,
    newUserAction: oneOf<NewUserAction>('--new-user-action', flags.newUserAction, NEW_USER_ACTIONS),
    trialType: oneOf<TrialType>('--trial-type', flags.trialType, TRIAL_TYPES),
    requireManualSignup: flags.manualSignup,
    supportsDemo: flags.demo,
    faults: faults as Fault[],
  };
  if (flags.printConfig) {
    // Prints and exits: `pcsim partner --print-config > partner.json` must end, and needs no free port
    // unless asked for one (--port 0 picks one now, for the `pcsim partner --port N` started later).
    const chosen = port === 0 ? await freePort(flags.host) : port;
    if (port === 0)
      io.err(`pcsim: --port 0: picked the free port ${chosen}; start the partner with --port ${chosen} to match.\n`);
    const config = createReferencePartnerApp(options).configFor(`http://${urlHost(flags.host)}:${chosen}`);
    io.out(`${stringifyJson(config, 2)}\n`);
    return 0;
  }
  const ref = await startReferencePartner({ ...options, port, host: flags.host }).catch(
    (err: NodeJS.ErrnoException) => {
      // The machine's refusal to listen is the user's to fix, not pcsim's crash.
      if (err.code === 'EADDRINUSE')
        throw new UsageError(
          `Failed to listen on ${flags.host}:${port}: the port is in use. Expected a free port (pass --port, or --port 0 for any free one).`,
        );
      if (err.code === 'EACCES')
        throw new UsageError(
          `Failed to listen on ${flags.host}:${port}: permission denied. Expected a port above 1023, or the rights to bind this one.`,
        );
      if (err.code === 'EADDRNOTAVAIL')
        throw new UsageError(
          `Failed to listen on ${flags.host}:${port}: this machine has no such address. Expected --host 127.0.0.1, 0.0.0.0 or one of its own addresses.`,
        );
      throw err;
    },
  );
  io.err(
    `pcsim: reference partner listening on ${ref.url}${faults.length ? ` with faults ${faults.join(', ')}` : ''} (Basic user ${env.credentials.user}; password from BASIC_PASSWORD${env.defaulted ? ', default' : ''}). Ctrl-C stops it.\n`,
  );
  await signal;
  await ref.close();
  return 0;
}
