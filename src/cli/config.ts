/**
 * Every option of every command comes from, in this order: the flag, an environment variable
 * (PCSIM_*), pcsim.config.json (or --config FILE / PCSIM_CONFIG), then the built-in default.
 * One table says which variable and which config key feed which flag; docs/CONFIGURATION.md
 * shows the same table and a test keeps the two, and the commands, in sync.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command, Option } from 'commander';
import { closest } from 'fastest-levenshtein';
import { UsageError } from './io.js';

export type ConfigKind = 'string' | 'integer' | 'boolean' | 'list';

export interface ConfigEntry {
  /** The flag as the commands declare it (long form). */
  flag: string;
  /** The environment variable. */
  env: string;
  /** The key in pcsim.config.json (the flag without dashes, and without "no-" for negated flags). */
  key: string;
  kind: ConfigKind;
}

const entry = (flag: string, env: string, kind: ConfigKind): ConfigEntry => ({
  flag,
  env,
  key: flag.replace(/^--(no-)?/, ''),
  kind,
});

/** Flags that are not configuration (they act once, or select the config itself). */
export const NOT_CONFIGURABLE = new Set([
  '--config',
  '--help',
  '--version',
  '--print-config',
  '--from',
  '--out',
  '--workspace',
  '--partner-id',
  '--limit',
  '--name',
  '--advance',
  '--reset',
]);

export const CONFIG_TABLE: readonly ConfigEntry[] = [
  entry('--partner', 'PCSIM_PARTNERS', 'list'),
  entry('--port', 'PCSIM_PORT', 'integer'),
  entry('--host', 'PCSIM_HOST', 'string'),
  entry('--data', 'PCSIM_DATA', 'string'),
  entry('--memory', 'PCSIM_MEMORY', 'boolean'),
  entry('--no-seed', 'PCSIM_SEED', 'boolean'),
  entry('--public-host', 'PCSIM_PUBLIC_HOST', 'string'),
  entry('--tls-cert', 'PCSIM_TLS_CERT', 'string'),
  entry('--tls-key', 'PCSIM_TLS_KEY', 'string'),
  entry('--journeys', 'PCSIM_JOURNEYS', 'string'),
  entry('--reporter', 'PCSIM_REPORTERS', 'list'),
  entry('--retry-backoff-ms', 'PCSIM_RETRY_BACKOFF_MS', 'string'),
  entry('--timeout-ms', 'PCSIM_TIMEOUT_MS', 'integer'),
  entry('--show-secrets', 'PCSIM_SHOW_SECRETS', 'boolean'),
  entry('--no-color', 'PCSIM_COLOR', 'boolean'),
  entry('--fail-fast', 'PCSIM_FAIL_FAST', 'boolean'),
  entry('--new-user-action', 'PCSIM_NEW_USER_ACTION', 'string'),
  entry('--trial-type', 'PCSIM_TRIAL_TYPE', 'string'),
  entry('--manual-signup', 'PCSIM_MANUAL_SIGNUP', 'boolean'),
  entry('--no-demo', 'PCSIM_DEMO', 'boolean'),
  entry('--fault', 'PCSIM_FAULTS', 'list'),
  entry('--scenario', 'PCSIM_SCENARIOS', 'list'),
  entry('--wait-core', 'PCSIM_WAIT_CORE', 'integer'),
  entry('--strict', 'PCSIM_STRICT', 'boolean'),
  entry('--concurrency', 'PCSIM_CONCURRENCY', 'integer'),
  entry('--duration', 'PCSIM_DURATION', 'string'),
  entry('--warmup', 'PCSIM_WARMUP', 'string'),
  entry('--progress', 'PCSIM_PROGRESS', 'string'),
  entry('--threshold', 'PCSIM_THRESHOLDS', 'list'),
  entry('--report', 'PCSIM_REPORT', 'list'),
  entry('--no-launch-check', 'PCSIM_LAUNCH_CHECK', 'boolean'),
  entry('--url', 'PCSIM_URL', 'string'),
];

export const CONFIG_FILE_NAME = 'pcsim.config.json';

export type ConfigValues = Record<string, string | boolean | string[]>;

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

/** Reads one value from its source text or JSON value; errors name the source and what was expected. */
function coerce(e: ConfigEntry, value: unknown, source: string): string | boolean | string[] {
  const fail = (expected: string): never => {
    throw new UsageError(`Failed to read ${source}: the value is ${JSON.stringify(value)}. Expected ${expected}.`);
  };
  switch (e.kind) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && TRUE.has(value.toLowerCase())) return true;
      if (typeof value === 'string' && FALSE.has(value.toLowerCase())) return false;
      return fail('true or false (or 1/0, yes/no)');
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) return String(value);
      if (typeof value === 'string' && /^\d+$/.test(value.trim())) return value.trim();
      return fail('a whole number');
    case 'list':
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
      if (typeof value === 'string')
        return value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      return fail(
        source.startsWith('PCSIM_') ? 'a comma-separated list' : 'an array of strings (or one comma-separated string)',
      );
    default:
      if (typeof value === 'string' && value !== '') return value;
      if (typeof value === 'number') return String(value);
      return fail('a non-empty string');
  }
}

/** Reads pcsim.config.json (or the file named): absent default file → {}; anything wrong → UsageError naming file and key. */
export function readConfigFile(file: string | undefined, cwd: string): ConfigValues {
  const explicit = file !== undefined;
  const target = path.resolve(cwd, file ?? CONFIG_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(target, 'utf8');
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(
      `Failed to read the config file ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Expected a readable JSON file.`,
    );
  }
  // Plain JSON.parse: a config holds flags, never an int64 id, and every command (--help too) reads it.
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `Failed to read the config file ${target}: it is not valid JSON (${(err as Error).message}). Expected a JSON object such as {"port": 8000}.`,
    );
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    throw new UsageError(
      `Failed to read the config file ${target}: it is not a JSON object. Expected {"port": 8000, …}.`,
    );
  const out: ConfigValues = {};
  const keys = CONFIG_TABLE.map((e) => e.key);
  for (const [key, raw] of Object.entries(obj as Record<string, unknown>)) {
    if (key === '$schema') continue;
    const e = CONFIG_TABLE.find((x) => x.key === key);
    if (!e)
      throw new UsageError(
        `Failed to read the config file ${target}: ${key} is not a known key. Expected one of ${keys.join(', ')} (did you mean ${closest(key, keys)}?).`,
      );
    out[key] = coerce(e, typeof raw === 'bigint' ? String(raw) : raw, `${target}: ${key}`);
  }
  return out;
}

/** The value of `e` from the environment, if set. */
function fromEnv(e: ConfigEntry, env: NodeJS.ProcessEnv): string | boolean | string[] | undefined {
  const raw = env[e.env];
  if (raw === undefined || raw === '') return undefined;
  return coerce(e, raw, e.env);
}

/**
 * Fills the options of `cmd` not given as flags: environment first, then the config file.
 * Runs before the action (commander preAction), so commands see one merged set of options.
 */
export function applyLayers(cmd: Command, env: NodeJS.ProcessEnv, cwd: string): void {
  const opts = cmd.opts() as { config?: string };
  const file = readConfigFile(opts.config ?? env.PCSIM_CONFIG, cwd);
  for (const option of cmd.options as Option[]) {
    const e = CONFIG_TABLE.find((x) => x.flag === option.long);
    if (!e) continue;
    const key = option.attributeName();
    if (cmd.getOptionValueSource(key) === 'cli') continue;
    const envValue = fromEnv(e, env);
    const value = envValue ?? file[e.key];
    if (value === undefined) continue;
    // Negated flags (--no-seed) store the positive attribute: PCSIM_SEED=false means --no-seed.
    cmd.setOptionValueWithSource(key, value, envValue !== undefined ? 'env' : 'config');
  }
}

/**
 * The options every command takes, whether or not it uses them yet, so a script can pass the same
 * ones to each (`pcsim load --no-color` as `pcsim run --no-color`).
 */
export function addGlobalOptions(cmd: Command): void {
  cmd.option(
    '--config <file>',
    `read options from this JSON file (default ./${CONFIG_FILE_NAME} when present; or PCSIM_CONFIG)`,
  );
  if (!(cmd.options as Option[]).some((o) => o.long === '--no-color'))
    cmd.option('--no-color', 'never colour the output');
}

/** Adds the global options to every sub-command and the layering hook to the program. */
export function installConfigLayers(
  program: Command,
  env: NodeJS.ProcessEnv,
  cwd: () => string = () => process.cwd(),
): void {
  for (const cmd of program.commands) {
    addGlobalOptions(cmd);
    const extra = CONFIG_TABLE.filter((e) => (cmd.options as Option[]).some((o) => o.long === e.flag)).map(
      (e) => `  ${e.flag.padEnd(20)} ${e.env.padEnd(24)} "${e.key}"`,
    );
    if (extra.length)
      cmd.addHelpText(
        'after',
        `\nEvery option can also come from an environment variable or ${CONFIG_FILE_NAME} (flag > variable > file > default):\n${extra.join('\n')}`,
      );
  }
  program.hook('preAction', (_root, action) => applyLayers(action, env, cwd()));
}
