/**
 * The `pcsim` command. Parsing with commander; each command lives in src/cli/. `main` returns
 * the exit code instead of exiting, so tests run the real CLI in process.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from './version.js';
import { installConfigLayers } from './cli/config.js';
import { EXIT, UsageError, processIO, type CliIO } from './cli/io.js';
import type { RunFlags } from './cli/run.js';
import type { PartnerFlags } from './cli/partner.js';
import type { ServeFlags } from './cli/serve.js';
import type { LoadFlags } from './cli/load.js';
import type { RecordFlags } from './cli/scenario.js';
import type { StateFlags } from './cli/state.js';
import { JOURNEY_IDS } from './journeys/catalogue-ids.js';
import { FAULTS } from './reference-partner/types.js';

const collect = (value: string, prev: string[]) => [...prev, value];
// Each command's module is imported when the command runs: --help, --version and validate stay
// quick instead of loading the server, the workspace simulator and the SQL engine first.

/** Resolves on SIGINT/SIGTERM: long-running commands stop cleanly. */
export const untilSignal = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

export function buildProgram(io: CliIO, result: { code: number }, stop: () => Promise<void> = untilSignal): Command {
  const program = new Command('pcsim')
    .description(
      'A local Databricks Partner Connect: replays the onboarding journeys against your partner API and judges every answer.',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  program
    .command('run')
    .description(
      'replay the journeys (P100 … P900, AUTH) against a partner and report; exit 0 when none failed, 1 when one failed, 2 for bad usage or config',
    )
    .option('--partner <file>', 'partner.json in the official format (default: start the built-in reference partner)')
    .option('--journeys <ids>', `"all" or a comma-separated list of ${JOURNEY_IDS.join(',')}`, 'all')
    .option('--reporter <spec>', 'console | json:PATH | junit:PATH | html:PATH (repeatable)', collect, [])
    .option('--retry-backoff-ms <list>', 'waits before the retries of a 5xx or network failure', '1000,2000,4000')
    .option('--timeout-ms <n>', 'per-attempt timeout in milliseconds', '30000')
    .option('--show-secrets', 'show passwords, PATs and OAuth secrets in clear (local debugging only)')
    .option(
      '--wait-core <seconds>',
      'serve the simulated workspace during the run and let P200/P201 wait this long for the partner to call it back (0: judge them by hand)',
      '0',
    )
    .option(
      '--tls-cert <file>',
      "PEM certificate of the workspace's HTTPS endpoint with --wait-core (default: one made for the run by pcsim's own CA)",
    )
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option(
      '--scenario <path>',
      'a scenario file (YAML or JSON), or a directory of them, to run instead of the catalogue, or with it when --journeys is given (repeatable)',
      collect,
      [],
    )
    .option('--strict', 'warnings (what the contract recommends) fail their journey too, not only errors')
    .option('--fail-fast', 'stop at the first failed journey; the rest are reported skipped, saying so')
    .addHelpText('after', '\nCredentials come from BASIC_USER, BASIC_PASSWORD and PAT_TOKEN, as in the official suite.')
    .action(async (flags: RunFlags & { color: boolean }, cmd: Command) => {
      result.code = await (
        await import('./cli/run.js')
      ).runCommand(
        {
          ...flags,
          color: flags.color === false ? false : undefined,
          journeysExplicit: cmd.getOptionValueSource('journeys') !== 'default',
        },
        io,
      );
    });

  program
    .command('serve')
    .description(
      'start the simulated Databricks: workspaces, users, partner tiles, the admin API (/api) and the web UI (/)',
    )
    .option('--port <n>', 'port to listen on', '8000')
    .option('--host <host>', 'address to bind (0.0.0.0 exposes pcsim to the network: containers only)', '127.0.0.1')
    .option(
      '--partner <file>',
      'partner.json to register (repeatable; default: the built-in reference partner)',
      collect,
      [],
    )
    .option('--data <dir>', 'state directory (pcsim.json); survives restarts', 'data')
    .option('--memory', 'keep the state in memory only (nothing written)')
    .option('--no-seed', 'start empty instead of with the demo workspaces and users')
    .option('--public-host <name>', 'hostname partners are told to call back (e.g. host.docker.internal)')
    .option(
      '--tls-cert <file>',
      "PEM certificate of the workspace's HTTPS endpoint (default: made by pcsim's own CA, kept in <data>/tls)",
    )
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--retry-backoff-ms <list>', 'waits before the retries of a 5xx or network failure', '1000,2000,4000')
    .option('--timeout-ms <n>', 'per-attempt timeout in milliseconds', '30000')
    .option('--show-secrets', 'show passwords, PATs and OAuth secrets in clear (local debugging only)')
    .addHelpText(
      'after',
      '\nCredentials for --partner servers come from BASIC_USER and BASIC_PASSWORD; PAT_TOKEN replaces generated PATs.',
    )
    .action(async (flags: ServeFlags) => {
      result.code = await (await import('./cli/serve.js')).serveCommand(flags, io, stop());
    });

  program
    .command('partner')
    .description('start the built-in reference partner (a compliant Partner Connect API with switchable faults)')
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--new-user-action <action>', 'auto_add | invite | not_found | error')
    .option('--trial-type <type>', 'user | account')
    .option('--manual-signup', 'require_manual_signup: unseen users get 404 account_not_found')
    .option('--no-demo', 'supports_demo false')
    .option('--fault <name>', `inject a fault (repeatable or comma-separated): ${FAULTS.join(', ')}`, collect, [])
    .option('--print-config', 'print the matching partner.json on stdout')
    .action(async (flags: PartnerFlags) => {
      result.code = await (await import('./cli/partner.js')).partnerCommand(flags, io, stop());
    });

  program
    .command('load')
    .description(
      'run many independent copies of scenarios or journeys at once and report throughput, p50/p95/p99 per step, errors by reason and violations; exit 1 when a copy failed',
    )
    .option(
      '--partner <file>',
      'partner.json in the official format (default: start the built-in reference partner in this process)',
    )
    .option(
      '--scenario <path>',
      'a scenario file (YAML or JSON), or a directory of them, to copy (repeatable)',
      collect,
      [],
    )
    .option('--journeys <ids>', `a comma-separated list of ${JOURNEY_IDS.join(',')} (or "all")`)
    .option('--concurrency <n>', 'copies in flight at once', '10')
    .option('--duration <s>', 'seconds to keep starting copies', '10')
    .option('--warmup <s>', 'seconds of copies run first and not counted (lets the JIT and the partner warm up)', '0')
    .option(
      '--progress <s>',
      'print copies, failures and connect/s to stderr this often during the run (0: never)',
      '5',
    )
    .option(
      '--threshold <expr>',
      'a pass/fail gate, e.g. p99<500 (ms, slowest step), connect_per_s>=100, failed<=0 (repeatable); exit 1 when one does not hold',
      collect,
      [],
    )
    .option(
      '--report <spec>',
      'json:PATH or junit:PATH: also write the load report as JSON, or as JUnit XML for CI (a testcase per journey and per threshold; repeatable)',
      collect,
      [],
    )
    .option(
      '--no-launch-check',
      'do not open each redirect_uri after Connect (measures the Connect endpoint alone, as a plain HTTP load tool does)',
    )
    .addHelpText(
      'after',
      '\nRetries happen at once (back-off 0): under load a retry is counted, not waited for. Credentials come from BASIC_USER, BASIC_PASSWORD and PAT_TOKEN.',
    )
    .action(async (flags: LoadFlags) => {
      result.code = await (await import('./cli/load.js')).loadCommand(flags, io);
    });

  program
    .command('record')
    .description(
      'turn a slice of the journal (GET /api/journal of pcsim serve, or its saved JSON) into a scenario file that replays the same clicks',
    )
    .requiredOption(
      '--from <url|file>',
      'http://127.0.0.1:8000 (a running pcsim serve) or a saved GET /api/journal JSON',
    )
    .requiredOption('--out <file>', 'the scenario to write (.yaml, or .json)')
    .option('--workspace <id>', 'only the exchanges of this workspace')
    .option('--partner-id <id>', 'only the exchanges with this partner id (as GET /api/partners lists it)')
    .option('--limit <n>', 'only the newest N exchanges of the slice')
    .option('--name <name>', 'the scenario name (its report id)')
    .action(async (flags: RecordFlags) => {
      result.code = await (await import('./cli/scenario.js')).recordCommand(flags, io);
    });

  program
    .command('state')
    .description(
      `keep and move the state of a running pcsim serve: export [--out FILE] (secrets as digests), import FILE, snapshot [--name N], snapshots, restore ID, clock [--advance S | --reset]`,
    )
    .argument('<action>', 'export | import | snapshot | snapshots | restore | clock')
    .argument('[arg]', 'import: the file; restore: the snapshot id')
    .option('--url <url>', 'the pcsim serve to talk to', 'http://127.0.0.1:8000')
    .option('--out <file>', 'export: write the file here (default: stdout)')
    .option('--name <name>', 'snapshot: a name to recognise it by')
    .option('--advance <seconds>', 'clock: move the simulated clock forward (OAuth tokens live 3600 s)')
    .option('--reset', 'clock: back to real time')
    .action(async (action: string, arg: string | undefined, flags: StateFlags) => {
      result.code = await (await import('./cli/state.js')).stateCommand(action, arg, flags, io);
    });

  program
    .command('validate')
    .description(
      'check partner.json files (and list which journeys apply) and scenario files (.yaml, .yml, or JSON with steps) without calling anything; exit 2 when one has a problem',
    )
    .argument('<files...>', 'partner.json or scenario files (a directory: its scenario files)')
    .action(async (files: string[]) => {
      result.code = await (await import('./cli/validate.js')).validateCommand(files, io);
    });

  installConfigLayers(program, io.env);
  return program;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const result = { code: EXIT.ok as number };
  const program = buildProgram(io, result);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof UsageError) {
      io.err(`pcsim: ${err.message}\n`);
      return EXIT.usage;
    }
    io.err(`pcsim: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.usage;
  }
}
