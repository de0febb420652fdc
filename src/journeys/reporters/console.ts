/**
 * The console reporter: a progress line per journey as it finishes, then a summary table,
 * the details of every failure and a totals line. Output goes through `opts.write` so the
 * reporter stays testable and never touches process.stdout itself.
 */
import pc from 'picocolors';
import type { JourneyReport, JourneyStatus, RunReport, StepReport } from '../types.js';
import { diffLine, failingSteps, formatDuration, plural, stepSummary, violationLine, warningCount } from './format.js';

export interface ConsoleReporterOptions {
  write: (s: string) => void;
  color: boolean;
  verbose?: boolean;
}

export interface ConsoleReporter {
  onJourneyStart(id: string, title: string): void;
  onJourneyEnd(j: JourneyReport): void;
  onRunEnd(r: RunReport): void;
}

const SYMBOL: Record<JourneyStatus, string> = { passed: '✓', failed: '✗', skipped: '-', manual: '?' };

/**
 * Partner-controlled text (messages, URLs, reasons) may carry ESC sequences or newlines that
 * would repaint the terminal or break the layout; show them as visible escapes instead.
 * Bidi overrides are escaped too, so a line cannot be visually reordered.
 */
function clean(s: string): string {
  return s
    .replace(/[\r\n\t]+/g, ' ')
    .replace(
      /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function createConsoleReporter(opts: ConsoleReporterOptions): ConsoleReporter {
  // createColors(false) yields identity functions, so no ANSI code can leak without colour.
  const c = pc.createColors(opts.color);
  const line = (s = '') => opts.write(`${s}\n`);

  const paint = (status: JourneyStatus, s: string): string => {
    switch (status) {
      case 'passed':
        return c.green(s);
      case 'failed':
        return c.red(s);
      case 'skipped':
        return c.gray(s);
      case 'manual':
        return c.yellow(s);
    }
  };

  const writeStep = (step: StepReport, indent: string, withWarnings: boolean) => {
    const attempts = step.attempts > 1 ? `, ${step.attempts} attempts` : '';
    line(
      `${indent}${clean(step.name)}: ${clean(stepSummary(step))} ${c.dim(`(${formatDuration(step.duration_ms)}${attempts})`)}`,
    );
    if (step.redirect) {
      const r = step.redirect;
      const outcome = r.status !== undefined ? String(r.status) : `no response (${r.error ?? 'unknown error'})`;
      line(`${indent}  redirect ${clean(r.url)} → ${clean(outcome)}`);
    }
    for (const v of step.violations) {
      if (v.severity === 'warning' && !withWarnings) continue;
      const text = clean(violationLine(v));
      line(`${indent}  ${v.severity === 'warning' ? c.yellow(text) : c.red(text)}`);
      const diff = diffLine(v);
      if (diff) line(`${indent}    ${clean(diff)}`);
    }
  };

  return {
    onJourneyStart(id, title) {
      // Only in verbose mode: a line per start doubles the output, useful only when watching a slow journey.
      if (opts.verbose) line(c.dim(`▸ ${clean(id)}  ${clean(title)}`));
    },

    onJourneyEnd(j) {
      const head = `${paint(j.status, SYMBOL[j.status])} ${c.bold(clean(j.id))}  ${clean(j.title)}`;
      const reason = clean(j.reason ?? '');
      if (j.status === 'skipped' || j.status === 'manual') {
        line(`${head}  ${paint(j.status, `${j.status}${reason ? `: ${reason}` : ''}`)}`);
      } else {
        const warnings = warningCount(j);
        const extra = warnings > 0 ? `  ${c.yellow(`(${plural(warnings, 'warning')})`)}` : '';
        line(`${head}   ${c.dim(formatDuration(j.duration_ms))}${extra}`);
        if (j.status === 'failed' && reason) line(`    ${c.red(reason)}`);
      }
      if (opts.verbose) for (const step of j.steps) writeStep(step, '    ', true);
    },

    onRunEnd(r) {
      line();
      line(
        `${c.bold('pcsim')} ${clean(r.version)} · ${clean(r.partner.name)} · ${clean(r.partner.base_url)} · ${formatDuration(r.duration_ms)}`,
      );
      line();

      // Widths are measured on plain text; colour is applied after padding so columns stay aligned.
      const rows = r.journeys.map((j) => ({
        status: j.status,
        cells: [clean(j.id), j.status, formatDuration(j.duration_ms), cut(clean(j.reason ?? ''), 100)],
      }));
      const header = ['id', 'status', 'duration', 'reason'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row.cells[i]!.length)));
      const fmt = (cells: string[], status?: JourneyStatus) =>
        cells
          .map((cell, i) => {
            const padded =
              i === 2 ? cell.padStart(widths[i]!) : i === cells.length - 1 ? cell : cell.padEnd(widths[i]!);
            return i === 1 && status ? paint(status, padded) : padded;
          })
          .join('  ')
          .trimEnd();
      line(c.bold(fmt(header)));
      line(c.dim(widths.map((w) => '─'.repeat(w)).join('  ')));
      for (const row of rows) line(fmt(row.cells, row.status));

      const failed = r.journeys.filter((j) => j.status === 'failed');
      if (failed.length > 0) {
        line();
        line(c.bold(c.red(`Failures (${failed.length})`)));
        for (const j of failed) {
          line();
          line(`${c.red(SYMBOL.failed)} ${c.bold(clean(j.id))}  ${clean(j.title)}`);
          if (j.reason) line(`  ${clean(j.reason)}`);
          for (const step of failingSteps(j)) writeStep(step, '  ', true);
          if (j.rerun) line(`  re-run: ${clean(j.rerun)}`);
        }
      }

      const s = r.summary;
      line();
      // The last line stays plain even with colour: CI logs and scripts grep for it.
      line(`${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped, ${s.manual} manual`);
    },
  };
}
