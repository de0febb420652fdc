/**
 * One self-contained HTML page a person can read offline or attach to a ticket: inline CSS,
 * no scripts, no external assets; <details> does the expanding. Every string that comes from
 * the report goes through `esc` (he.escape), because names, bodies, messages and URLs are
 * partner-controlled. Partner URLs are shown as text, never as links, so a `javascript:`
 * redirect_uri cannot become clickable.
 */
import he from 'he';
import type { JourneyReport, JourneyStatus, RunReport, StepReport } from '../types.js';
import type { Violation } from '../../contract/diagnostics.js';
import { formatDuration, prettyBody } from './format.js';

/** Control characters (a partner's ESC or NUL) are shown as visible escapes: browsers would drop or mangle them. */
const esc = (v: unknown): string =>
  he
    .escape(String(v))
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );

const CSS = `
:root{--fg:#1f2328;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--line:#d1d9e0;--pass:#1a7f37;--fail:#cf222e;--skip:#6e7781;--manual:#9a6700;--failbg:#ffebe9;--warnbg:#fff8c5}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--panel:#151b23;--line:#3d444d;--pass:#3fb950;--fail:#f85149;--skip:#9198a1;--manual:#d29922;--failbg:#3c1618;--warnbg:#3a2d0c}}
*{box-sizing:border-box}
body{font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;padding:24px;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px}
.meta{color:var(--muted);margin:0 0 12px;overflow-wrap:anywhere}
.counts span{display:inline-block;margin-right:12px;font-weight:600}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
th{background:var(--panel)}
td.num{text-align:right;white-space:nowrap}
.summary th,.summary td.id{white-space:nowrap;overflow-wrap:normal}
.badge{display:inline-block;min-width:64px;text-align:center;padding:0 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600;line-height:20px}
.passed{background:var(--pass)}.failed{background:var(--fail)}.skipped{background:var(--skip)}.manual{background:var(--manual)}
.t-passed{color:var(--pass)}.t-failed{color:var(--fail)}.t-skipped{color:var(--skip)}.t-manual{color:var(--manual)}
details{border:1px solid var(--line);border-radius:6px;margin:8px 0;background:var(--bg)}
details>summary{cursor:pointer;padding:6px 10px;background:var(--panel);border-radius:6px;overflow-wrap:anywhere}
details[open]>summary{border-bottom:1px solid var(--line);border-radius:6px 6px 0 0}
.inner{padding:8px 12px}
.step.bad>summary{background:var(--failbg)}
pre{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px;overflow:auto;max-height:480px;white-space:pre-wrap;overflow-wrap:anywhere;font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.kv th{width:28%;font-weight:normal;color:var(--muted);background:none}
.kv td,.kv th{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:2px 8px}
.violations{list-style:none;padding:0;margin:8px 0}
.violations li{border-left:4px solid var(--fail);background:var(--failbg);padding:4px 8px;margin:4px 0;overflow-wrap:anywhere}
.violations li.warning{border-color:var(--manual);background:var(--warnbg)}
.diff{border-collapse:collapse;margin:4px 0}.diff th{text-align:left;padding:0 8px 0 0;font-weight:normal;color:var(--muted,#666)}
.reason{margin:4px 0 8px}
.muted{color:var(--muted)}
.half{display:grid;grid-template-columns:1fr 1fr;gap:12px}
@media (max-width:800px){.half{grid-template-columns:1fr}}
h4{margin:8px 0 4px;font-size:13px}
@media print{details{break-inside:avoid}pre{max-height:none}}
`;

const badge = (s: JourneyStatus) => `<span class="badge ${esc(s)}">${esc(s)}</span>`;
const anchor = (id: string) => `j-${id}`;

function headersTable(h: Record<string, string> | undefined): string {
  const entries = Object.entries(h ?? {});
  if (entries.length === 0) return '<p class="muted">no headers</p>';
  return `<table class="kv">${entries.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

function bodyBlock(body: unknown): string {
  return body === undefined ? '<p class="muted">no body</p>' : `<pre>${esc(prettyBody(body))}</pre>`;
}

function violationsList(vs: readonly Violation[]): string {
  if (vs.length === 0) return '';
  const items = vs
    .map((v) => {
      const warn = v.severity === 'warning';
      const diff =
        v.expected !== undefined && v.received !== undefined
          ? `<table class="diff"><tr><th>expected</th><td><code>${esc(v.expected)}</code></td></tr><tr><th>received</th><td><code>${esc(v.received)}</code></td></tr></table>`
          : '';
      return `<li class="${warn ? 'warning' : 'error'}"><strong>${warn ? 'warning ' : ''}<code>${esc(v.rule)}</code></strong> · <code>${esc(v.field)}</code><br>${esc(v.message)}${diff}</li>`;
    })
    .join('');
  return `<h4>Violations</h4><ul class="violations">${items}</ul>`;
}

function attemptsBlock(step: StepReport): string {
  const log = step.attempt_log ?? [];
  if (log.length === 0) return `<p>Attempts: ${esc(step.attempts)}</p>`;
  const rows = log
    .map(
      (a) =>
        `<tr><td class="num">${esc(a.n)}</td><td class="num">${esc(formatDuration(a.waited_ms))}</td><td>${a.status !== undefined ? esc(a.status) : ''}</td><td>${esc(a.error ?? '')}</td><td class="num">${esc(formatDuration(a.duration_ms))}</td></tr>`,
    )
    .join('');
  return `<h4>Attempts (${esc(step.attempts)})</h4><table><tr><th>#</th><th>waited</th><th>status</th><th>error</th><th>duration</th></tr>${rows}</table>`;
}

function redirectBlock(step: StepReport): string {
  const r = step.redirect;
  if (!r) return '';
  const outcome =
    r.status !== undefined ? `answered ${esc(r.status)}` : `no response: ${esc(r.error ?? 'unknown error')}`;
  return `<h4>Redirect check</h4><p><code>${esc(r.url)}</code> → ${outcome} <span class="muted">(${esc(formatDuration(r.duration_ms))})</span></p>`;
}

function stepSection(step: StepReport): string {
  const errors = step.violations.some((v) => v.severity === 'error') || (!step.response && step.error !== undefined);
  const status = step.response ? esc(step.response.status) : 'no response';
  const req = step.request;
  const res = step.response;
  // Steps that went wrong start open: that is what the reader came for.
  return `<details class="step${errors ? ' bad' : ''}"${errors ? ' open' : ''}>
<summary><strong>${esc(step.name)}</strong> — <code>${esc(req.method)} ${esc(req.url)}</code> → ${status} <span class="muted">(${esc(formatDuration(step.duration_ms))}, ${esc(step.attempts)} attempt${step.attempts === 1 ? '' : 's'})</span></summary>
<div class="inner">
${violationsList(step.violations)}
<div class="half">
<div><h4>Request</h4><p><code>${esc(req.method)} ${esc(req.url)}</code></p>${headersTable(req.headers)}${bodyBlock(req.body)}</div>
<div><h4>Response</h4>${
    res
      ? `<p>Status <strong>${esc(res.status)}</strong></p>${headersTable(res.headers)}${bodyBlock(res.body)}`
      : `<p class="t-failed">No response${step.error !== undefined ? `: ${esc(step.error)}` : ''}</p>`
  }</div>
</div>
${attemptsBlock(step)}
${redirectBlock(step)}
</div>
</details>`;
}

function journeySection(j: JourneyReport): string {
  const checks = j.manual_checks?.length
    ? `<h4>Check by hand</h4><ul>${j.manual_checks.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>`
    : '';
  const steps = j.steps.length ? j.steps.map(stepSection).join('\n') : '<p class="muted">No calls were made.</p>';
  // The anchor is inside the details: browsers open a closed <details> to show a fragment target in it (no script needed).
  return `<details class="journey"${j.status === 'failed' ? ' open' : ''}>
<summary>${badge(j.status)} <strong>${esc(j.id)}</strong> ${esc(j.title)} <span class="muted">${esc(formatDuration(j.duration_ms))}</span></summary>
<div class="inner" id="${esc(anchor(j.id))}">
${j.reason ? `<p class="reason t-${esc(j.status)}">${esc(j.reason)}</p>` : ''}
${j.rerun ? `<p class="rerun">Re-run just this journey: <code>${esc(j.rerun)}</code></p>` : ''}
${checks}
${steps}
</div>
</details>`;
}

export function renderHtml(r: RunReport): string {
  const s = r.summary;
  const rows = r.journeys
    .map(
      (j) =>
        `<tr><td class="id"><a href="#${esc(anchor(j.id))}">${esc(j.id)}</a></td><td>${esc(j.title)}</td><td>${badge(j.status)}</td><td class="num">${esc(formatDuration(j.duration_ms))}</td><td>${esc(j.reason ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pcsim report — ${esc(r.partner.name)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>Partner Connect report: ${esc(r.partner.name)}</h1>
<p class="meta"><code>${esc(r.partner.base_url)}</code> · started ${esc(r.started_at)} · ${esc(formatDuration(r.duration_ms))} · ${esc(r.tool)} ${esc(r.version)}</p>
<p class="counts"><span class="t-passed">${esc(s.passed)} passed</span><span class="t-failed">${esc(s.failed)} failed</span><span class="t-skipped">${esc(s.skipped)} skipped</span><span class="t-manual">${esc(s.manual)} manual</span><span class="muted">${esc(s.total)} total</span></p>
</header>
<main>
<h2>Journeys</h2>
<table class="summary">
<tr><th>id</th><th>journey</th><th>status</th><th>duration</th><th>reason</th></tr>
${rows}
</table>
<h2>Details</h2>
${r.journeys.map(journeySection).join('\n')}
</main>
</body>
</html>
`;
}
