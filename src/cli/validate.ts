/** `pcsim validate FILE`: checks a partner config and says which journeys it makes applicable. */
import { loadPartnerConfig } from '../contract/partner-config.js';
import { CATALOGUE } from '../journeys/catalogue.js';
import { formatProblems } from './problems.js';
import { EXIT, type CliIO } from './io.js';

export async function validateCommand(file: string, io: CliIO): Promise<number> {
  const loaded = await loadPartnerConfig(file);
  for (const w of loaded.warnings) io.err(`pcsim: warning: ${w.message}\n`);
  if (!loaded.ok) {
    io.err(formatProblems(file, loaded.problems));
    return EXIT.usage;
  }
  const cfg = loaded.config;
  io.out(`${file}: valid partner config "${cfg.name}" (${cfg.category}, ${cfg.base_url}).\n`);
  for (const j of CATALOGUE) {
    const skip = j.skip(cfg);
    const status = skip ? `skipped: ${skip.reason} (${skip.field})` : j.run ? 'runs' : 'manual';
    io.out(`  ${j.id.padEnd(5)} ${j.title.padEnd(50)} ${status}\n`);
  }
  return EXIT.ok;
}
