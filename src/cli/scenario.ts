/** `pcsim run --scenario FILE…` (scenario files as report entries) and `pcsim record`. */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Journey } from '../journeys/catalogue.js';
import { collectScenarios, formatProblem, loadScenarioFile } from '../scenarios/load.js';
import { recordScenario, renderRecording, type JournalExchange } from '../scenarios/record.js';
import { scenarioJourney } from '../scenarios/runner.js';
import type { Scenario } from '../scenarios/schema.js';
import { EXIT, parsePositiveInt, UsageError, type CliIO } from './io.js';

/** YAML is always a scenario here; JSON is one when it has steps (else a partner.json or a saved journal). */
export async function looksLikeScenario(file: string): Promise<boolean> {
  if (/\.ya?ml$/i.test(file)) return true;
  try {
    return /"steps"\s*:/.test(await readFile(file, 'utf8'));
  } catch {
    return false; // unreadable: the loader that gets it says so
  }
}

/**
 * A directory stands for its scenario files, not recursive, in name order: .yaml/.yml, and .json holding
 * steps (a directory may also keep partner.json files or saved journals next to them).
 */
export async function expandScenarioPaths(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const isDir = await stat(p).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) {
      out.push(p);
      continue;
    }
    const found: string[] = [];
    for (const f of (await readdir(p)).sort()) {
      const file = path.join(p, f);
      if (/\.(ya?ml|json)$/i.test(f) && (await looksLikeScenario(file))) found.push(file);
    }
    if (found.length === 0)
      throw new UsageError(
        `Failed to read scenarios from the directory ${p}: it holds no scenario file. Expected .yaml/.yml files, or .json files with steps, or a file path.`,
      );
    out.push(...found);
  }
  return out;
}

/** Loads every file; all problems of all files are printed, and nothing runs when there is one. */
export async function loadScenarios(
  paths: string[],
  io: CliIO,
  taken: readonly string[] = [],
): Promise<Scenario[] | undefined> {
  const results = [];
  for (const file of await expandScenarioPaths(paths)) results.push(await loadScenarioFile(file));
  const set = collectScenarios(results, taken);
  if (!set.ok) {
    const n = set.problems.length;
    io.err(
      `pcsim: the scenario files cannot be used (${n} problem${n > 1 ? 's' : ''}; nothing was sent):\n${set.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`,
    );
    return undefined;
  }
  return set.scenarios;
}

export async function scenarioJourneys(
  files: string[],
  io: CliIO,
  taken: readonly string[] = [],
): Promise<Journey[] | undefined> {
  return (await loadScenarios(files, io, taken))?.map(scenarioJourney);
}

export interface RecordFlags {
  from: string;
  out: string;
  workspace?: string;
  partnerId?: string;
  limit?: string;
  name?: string;
}

async function readJournal(from: string, flags: RecordFlags, io: CliIO): Promise<unknown> {
  if (/^https?:\/\//.test(from)) {
    const url = new URL(from);
    if (!url.pathname.endsWith('/api/journal')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/journal`;
    if (flags.workspace) url.searchParams.set('workspace', flags.workspace);
    if (flags.partnerId) url.searchParams.set('partner', flags.partnerId);
    url.searchParams.set('limit', flags.limit ?? '1000');
    let res: Response;
    try {
      res = await fetch(url);
    } catch (err) {
      throw new UsageError(
        `Failed to read the journal from ${url}: ${(err as Error).message}. Expected a running pcsim serve (GET /api/journal).`,
      );
    }
    if (!res.ok)
      throw new UsageError(
        `Failed to read the journal from ${url}: HTTP ${res.status}. Expected 200 from GET /api/journal.`,
      );
    io.err(`pcsim: read ${url}\n`);
    return res.json();
  }
  let text: string;
  try {
    text = await readFile(from, 'utf8');
  } catch (err) {
    throw new UsageError(
      `Failed to read the journal file ${from}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Expected the saved JSON of GET /api/journal.`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `Failed to read the journal file ${from}: it is not JSON (${(err as Error).message}). Expected the saved JSON of GET /api/journal.`,
    );
  }
}

export async function recordCommand(flags: RecordFlags, io: CliIO): Promise<number> {
  const limit = flags.limit !== undefined ? parsePositiveInt('--limit', flags.limit) : undefined;
  const raw = await readJournal(flags.from, flags, io);
  const exchanges = (Array.isArray(raw) ? raw : (raw as { exchanges?: unknown })?.exchanges) as
    JournalExchange[] | undefined;
  if (!Array.isArray(exchanges))
    throw new UsageError(
      `Failed to read the journal from ${flags.from}: it has no "exchanges" list. Expected {"exchanges": [...]} as GET /api/journal answers.`,
    );
  const result = recordScenario(exchanges, {
    workspace: flags.workspace,
    partner: flags.partnerId,
    limit,
    name: flags.name ?? `recorded-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`,
    source: flags.from,
  });
  if ('error' in result) {
    io.err(`pcsim: ${result.error}\n`);
    return EXIT.usage;
  }
  const text = renderRecording(result, flags.from, flags.out.endsWith('.json') ? 'json' : 'yaml');
  try {
    await writeFile(flags.out, text);
  } catch (err) {
    throw new UsageError(
      `Failed to write ${flags.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Expected a writable path.`,
    );
  }
  for (const note of result.notes) io.err(`pcsim: note: ${note}\n`);
  io.out(`pcsim: wrote ${flags.out} (${result.scenario.steps.length} steps from ${result.used} exchanges)\n`);
  return EXIT.ok;
}
