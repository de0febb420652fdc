/**
 * `pcsim validate FILE…`: checks partner configs and scenario files without calling anything.
 * A partner.json says which journeys it makes applicable; a scenario (.yaml/.yml, or JSON with
 * `steps`) lists its steps. Every problem of every file is printed; exit 2 when one has any.
 */
import { loadPartnerConfig } from '../contract/partner-config.js';
import { applicability, CATALOGUE } from '../journeys/catalogue.js';
import { formatProblems } from './problems.js';
import { EXIT, type CliIO } from './io.js';

async function validatePartner(file: string, io: CliIO): Promise<boolean> {
  const loaded = await loadPartnerConfig(file);
  for (const w of loaded.warnings) io.err(`pcsim: warning: ${w.message}\n`);
  if (!loaded.ok) {
    io.err(formatProblems(file, loaded.problems));
    return false;
  }
  const cfg = loaded.config;
  io.out(`${file}: valid partner config "${cfg.name}" (${cfg.category}, ${cfg.base_url}).\n`);
  for (const j of CATALOGUE) {
    const a = applicability(j, cfg);
    const status =
      a.status === 'skipped'
        ? `skipped: ${a.reason} (${a.field})`
        : a.status === 'manual' && j.run
          ? `manual: ${a.reason}`
          : a.status;
    io.out(`  ${j.id.padEnd(5)} ${j.title.padEnd(50)} ${status}\n`);
  }
  return true;
}

async function validateScenario(file: string, io: CliIO): Promise<boolean> {
  const { formatProblem, loadScenarioFile } = await import('../scenarios/load.js');
  const { actionOf, stepName } = await import('../scenarios/schema.js');
  const r = await loadScenarioFile(file);
  if (!r.ok) {
    io.err(
      `pcsim: ${file} cannot be used (${r.problems.length} problem${r.problems.length > 1 ? 's' : ''}):\n${r.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n`,
    );
    return false;
  }
  const s = r.scenario;
  io.out(
    `${file}: valid scenario "${s.name}": ${s.workspaces.length} workspace(s), ${s.users.length} user(s), ${s.steps.length} step(s)${s.requires?.length ? `, requires ${s.requires.join(', ')}` : ''}.\n`,
  );
  s.steps.forEach((step, i) => {
    const { action } = actionOf(step);
    io.out(
      `  ${String(i + 1).padStart(3)}. ${action}: ${stepName(step)}${step.when ? ' (only when the config matches)' : ''}\n`,
    );
  });
  return true;
}

export async function validateCommand(paths: string[], io: CliIO): Promise<number> {
  const { expandScenarioPaths, looksLikeScenario } = await import('./scenario.js');
  let ok = true;
  for (const file of await expandScenarioPaths(paths)) {
    const valid = (await looksLikeScenario(file)) ? await validateScenario(file, io) : await validatePartner(file, io);
    ok &&= valid;
  }
  return ok ? EXIT.ok : EXIT.usage;
}
