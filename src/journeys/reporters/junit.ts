/**
 * JUnit XML in the shape GitHub (test-reporter, dorny), GitLab and Jenkins all read: one
 * <testsuite> per run, one <testcase> per journey, <failure>/<skipped> children, the step
 * list in <system-out>. Manual journeys are reported as skipped (CI cannot judge them).
 */
import type { JourneyReport, RunReport, StepReport } from '../types.js';
import { diffLine, failingSteps, prettyBody, stepSummary, violationLine } from './format.js';

/** Characters XML 1.0 forbids even as references (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF). */
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlText(s: string): string {
  return s.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values also escape quotes, and whitespace as references so parsers keep newlines. */
export function xmlAttr(s: string): string {
  return xmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** JUnit's time attribute: seconds with 3 decimals (0 for anything not a positive duration). */
export const seconds = (ms: number) => (Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0).toFixed(3);

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');
}

function stepBlock(step: StepReport, withBodies: boolean): string {
  const lines = [
    `${step.name}: ${stepSummary(step)} (${step.duration_ms} ms, ${step.attempts} attempt${step.attempts === 1 ? '' : 's'})`,
  ];
  if (step.redirect) {
    const r = step.redirect;
    lines.push(
      `  redirect ${r.url} → ${r.status !== undefined ? r.status : `no response (${r.error ?? 'unknown error'})`}`,
    );
  }
  for (const v of step.violations) {
    lines.push(`  ${violationLine(v)}`);
    const diff = diffLine(v);
    if (diff) lines.push(`    ${diff}`);
  }
  if (withBodies) {
    if (step.request.body !== undefined) lines.push('  request body:', indent(prettyBody(step.request.body), '    '));
    if (step.response?.body !== undefined)
      lines.push('  response body:', indent(prettyBody(step.response.body), '    '));
  }
  return lines.join('\n');
}

function failureDetails(j: JourneyReport): string {
  const parts = [j.reason ?? 'failed'];
  const steps = failingSteps(j);
  if (steps.length > 0) parts.push('', ...steps.map((s) => stepBlock(s, false)));
  if (j.rerun) parts.push('', `re-run: ${j.rerun}`);
  return parts.join('\n');
}

function systemOut(j: JourneyReport): string {
  const parts: string[] = [];
  if (j.reason) parts.push(`${j.status}: ${j.reason}`);
  if (j.manual_checks?.length) parts.push('manual checks:', ...j.manual_checks.map((m) => `  - ${m}`));
  for (const s of j.steps) parts.push(stepBlock(s, true));
  return parts.join('\n');
}

function testcase(j: JourneyReport): string {
  const open = `    <testcase classname="pcsim.journeys" name="${xmlAttr(`${j.id} ${j.title}`)}" time="${seconds(j.duration_ms)}">`;
  const body: string[] = [];
  switch (j.status) {
    case 'failed':
      body.push(
        `      <failure message="${xmlAttr(j.reason ?? 'failed')}" type="contract">${xmlText(failureDetails(j))}</failure>`,
      );
      break;
    case 'skipped':
      body.push(`      <skipped message="${xmlAttr(j.reason ?? 'skipped')}"/>`);
      break;
    case 'manual':
      body.push(`      <skipped message="${xmlAttr(`manual: ${j.reason ?? 'checked by hand'}`)}"/>`);
      break;
    case 'passed':
      break;
  }
  const out = systemOut(j);
  if (out) body.push(`      <system-out>${xmlText(out)}</system-out>`);
  return body.length === 0 ? `${open}</testcase>` : [open, ...body, '    </testcase>'].join('\n');
}

export function renderJunit(r: RunReport): string {
  // Counts come from the testcases written, so the attributes always agree with the body.
  const tests = r.journeys.length;
  const failures = r.journeys.filter((j) => j.status === 'failed').length;
  const skipped = r.journeys.filter((j) => j.status === 'skipped' || j.status === 'manual').length;
  const time = seconds(r.duration_ms);
  const counts = `tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}"`;
  const timestamp = r.started_at ? ` timestamp="${xmlAttr(r.started_at)}"` : '';
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="pcsim" ${counts}${timestamp}>`,
    `  <testsuite name="${xmlAttr(`pcsim: ${r.partner.name}`)}" ${counts}${timestamp}>`,
    '    <properties>',
    `      <property name="partner" value="${xmlAttr(r.partner.name)}"/>`,
    `      <property name="base_url" value="${xmlAttr(r.partner.base_url)}"/>`,
    `      <property name="pcsim_version" value="${xmlAttr(r.version)}"/>`,
    '    </properties>',
    ...r.journeys.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
