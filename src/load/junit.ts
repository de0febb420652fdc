/**
 * A load run as JUnit XML, for the CI pages that read it (the same readers as `pcsim run`'s):
 * one <testcase> per journey copied (failed when a copy failed, with the reasons), one per
 * `--threshold` (failed when it does not hold), and what did not run as skipped. Pure.
 */
import { seconds as secs, xmlAttr, xmlText } from '../journeys/reporters/junit.js';
import type { LoadReport } from './runner.js';
import { describeThreshold } from './thresholds.js';

interface Case {
  name: string;
  classname: string;
  seconds: number;
  failure?: { message: string; text: string };
  skipped?: string;
  out?: string;
}

export function loadJunit(r: LoadReport): string {
  const cases: Case[] = [];
  for (const id of r.journeys) {
    const steps = r.steps.filter((s) => s.journey === id);
    const failures = r.failures.filter((f) => f.reason.startsWith(`${id} `) || f.reason.startsWith(`${id}:`));
    const failed = failures.reduce((a, f) => a + f.count, 0);
    const copies = steps[0]?.count ?? 0;
    cases.push({
      name: `${id} under load`,
      classname: 'pcsim.load',
      seconds: r.duration_ms,
      out: steps
        .map(
          (s) =>
            `${s.step}: ${s.count} calls, p50 ${s.p50_ms} ms, p95 ${s.p95_ms} ms, p99 ${s.p99_ms} ms, max ${s.max_ms} ms`,
        )
        .join('\n'),
      ...(failed > 0
        ? {
            failure: {
              message: `${failed} cop${failed === 1 ? 'y' : 'ies'} of ${id} failed (of about ${copies})`,
              text: failures.map((f) => `${f.count} × ${f.reason}`).join('\n'),
            },
          }
        : {}),
    });
  }
  for (const t of r.thresholds ?? []) {
    cases.push({
      name: `threshold ${t.spec}`,
      classname: 'pcsim.load.thresholds',
      seconds: 0,
      ...(t.ok
        ? { out: `holds: ${describeThreshold(t)}` }
        : {
            failure: {
              message: `does not hold: ${describeThreshold(t)}`,
              text: `does not hold: ${describeThreshold(t)}`,
            },
          }),
    });
  }
  for (const n of r.not_run)
    cases.push({ name: `${n.id} under load`, classname: 'pcsim.load', seconds: 0, skipped: n.reason });

  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped).length;
  const body = cases
    .map((c) => {
      const inner = [
        c.failure
          ? `      <failure message="${xmlAttr(c.failure.message)}" type="load">${xmlText(c.failure.text)}</failure>`
          : '',
        c.skipped ? `      <skipped message="${xmlAttr(c.skipped)}"/>` : '',
        c.out ? `      <system-out>${xmlText(c.out)}</system-out>` : '',
      ].filter(Boolean);
      const open = `    <testcase name="${xmlAttr(c.name)}" classname="${c.classname}" time="${secs(c.seconds)}"`;
      return inner.length ? `${open}>\n${inner.join('\n')}\n    </testcase>` : `${open}/>`;
    })
    .join('\n');
  const summary = `${r.copies.completed} copies (${r.copies.failed} failed) at concurrency ${r.concurrency}: ${r.throughput.connect_per_s} Connect/s, ${r.calls} calls; partner ${r.partner.name} (${r.partner.base_url})`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="pcsim load" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${secs(r.duration_ms)}">`,
    `  <testsuite name="pcsim load: ${xmlAttr(r.partner.name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${secs(r.duration_ms)}" timestamp="${xmlAttr(r.started_at)}">`,
    `    <properties><property name="summary" value="${xmlAttr(summary)}"/></properties>`,
    body,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
