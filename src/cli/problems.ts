/** How the CLI prints a partner.json that cannot be used: every problem, each naming its field. */
import type { Violation } from '../contract/diagnostics.js';

export function formatProblems(file: string, problems: Violation[]): string {
  return `pcsim: ${file} cannot be used (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n${problems.map((p) => `  - ${p.field}: ${p.message}`).join('\n')}\n`;
}
