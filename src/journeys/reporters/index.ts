/** The reporters of `pcsim run --reporter …`: parsing the flag and writing the file reports. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RunReport } from '../types.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';

export { createConsoleReporter } from './console.js';
export type { ConsoleReporter, ConsoleReporterOptions } from './console.js';
export { renderHtml } from './html.js';
export { renderJson } from './json.js';
export { renderJunit } from './junit.js';

export type FileReporterKind = 'json' | 'junit' | 'html';
export type ReporterSpec = { kind: 'console' } | { kind: FileReporterKind; path: string };

const FILE_KINDS: readonly FileReporterKind[] = ['json', 'junit', 'html'];
const EXPECTED = 'Expected console, json:PATH, junit:PATH or html:PATH.';

/** Parses one --reporter value. Splits at the first colon only, so `json:C:\out\r.json` keeps its path. */
export function parseReporterSpec(s: string): ReporterSpec | { error: string } {
  const colon = s.indexOf(':');
  const rawKind = (colon < 0 ? s : s.slice(0, colon)).trim();
  const kind = rawKind.toLowerCase();
  const path = colon < 0 ? undefined : s.slice(colon + 1).trim();
  if (kind === 'console') {
    if (path !== undefined)
      return { error: `Failed to read --reporter ${s}: console writes to the terminal and takes no PATH. ${EXPECTED}` };
    return { kind: 'console' };
  }
  if ((FILE_KINDS as readonly string[]).includes(kind)) {
    if (!path)
      return {
        error: `Failed to read --reporter ${s}: ${kind} needs a file PATH. Expected ${kind}:PATH, e.g. ${kind}:reports/pcsim.${kind === 'junit' ? 'xml' : kind}.`,
      };
    return { kind: kind as FileReporterKind, path };
  }
  return { error: `Failed to read --reporter ${s}: unknown kind ${rawKind || '(empty)'}. ${EXPECTED}` };
}

const RENDER: Record<FileReporterKind, (r: RunReport) => string> = {
  json: renderJson,
  junit: renderJunit,
  html: renderHtml,
};

/** Writes every json/junit/html report (creating parent directories); returns the paths written, in order. */
export async function writeFileReports(r: RunReport, specs: ReporterSpec[]): Promise<string[]> {
  const written: string[] = [];
  for (const spec of specs) {
    if (spec.kind === 'console') continue;
    const text = RENDER[spec.kind](r);
    try {
      await mkdir(dirname(spec.path), { recursive: true });
      await writeFile(spec.path, text, 'utf8');
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(`Failed to write the ${spec.kind} report to ${spec.path}: ${why}. Expected a writable path.`, {
        cause: err,
      });
    }
    written.push(spec.path);
  }
  return written;
}
