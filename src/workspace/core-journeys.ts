/**
 * P200 and P201 as automatic journeys: connect, then wait for the partner's calls into the
 * simulated workspace and judge them (verdicts.ts). The catalogue keeps them manual (no `run`);
 * runJourneys gives them one here: with RunOptions.waitCore > 0 (`pcsim run --wait-core
 * SECONDS`, the run serves the workspace) they judge; otherwise they report manual and say how
 * to automate them.
 */
import { violation } from '../contract/diagnostics.js';
import type { Resources } from '../databricks/model.js';
import type { Journey } from '../journeys/catalogue.js';
import { JourneyAbort, pause, type JourneyContext } from '../journeys/context.js';
import { expectNew } from '../journeys/expectations.js';
import { activityOf } from './activity.js';
import { coreKindOf, p200Verdict, p201Verdict, type Verdict } from './verdicts.js';

export interface CoreWait {
  /** How long P200/P201 wait for the partner's activity, in seconds; 0: manual. */
  seconds: number;
  /** How often the activity is looked at (ms; default 100). */
  pollMs?: number;
}

export const HOW_TO_AUTOMATE = 'judged by hand (see manual_checks); to judge it automatically, run with --wait-core SECONDS (pcsim run): the run serves the simulated workspace, the partner calls it back with the credentials it received, and the journey judges those calls';

/** The journeys with P200/P201 given a run (automatic with a wait, else manual saying how to automate). */
export function withCoreJourneys(journeys: readonly Journey[], wait: CoreWait): Journey[] {
  const runs: Record<string, (t: JourneyContext, w: CoreWait) => Promise<{ manual: string } | { note: string }>> = { P200: runP200, P201: runP201 };
  return journeys.map((j) => (runs[j.id] && !j.run ? { ...j, run: (t: JourneyContext) => runs[j.id]!(t, wait) } : j));
}

async function waitFor(wait: CoreWait, t: JourneyContext, step: string, judge: () => Verdict): Promise<Verdict> {
  const deadline = Date.now() + wait.seconds * 1000;
  for (;;) {
    const v = judge();
    if (v.status !== 'pending' || Date.now() >= deadline) return v;
    await pause(Math.min(wait.pollMs ?? 100, Math.max(1, deadline - Date.now())), t.signal, step);
  }
}

function conclude(step: string, field: string, v: Verdict, seconds: number): { note: string } {
  if (v.status === 'passed') return { note: v.reason };
  const message = v.status === 'pending' ? `${v.reason} (waited ${seconds} s)` : v.reason;
  throw new JourneyAbort(step, violation('journey.core', field, message));
}

/**
 * P200. The seed: "If the integration uses Databricks data, test with both Unity Catalog and Hive
 * Metastore". So a partner that queries or writes is judged twice: in a Unity Catalog workspace
 * (its default catalog first, hive_metastore beside it) and in a workspace whose only catalog is
 * hive_metastore (Connect's catalog_name says so), where a statement must use hive_metastore.
 */
export async function runP200(t: JourneyContext, wait: CoreWait): Promise<{ manual: string } | { note: string }> {
  if (wait.seconds <= 0) return { manual: HOW_TO_AUTOMATE };
  const phases: { label: string; catalog?: string }[] = [{ label: 'Unity Catalog workspace' }];
  if (coreKindOf(t.config) !== 'notebook') {
    phases.push({ label: 'hive_metastore workspace', catalog: 'hive_metastore' });
  }
  const notes: string[] = [];
  for (const phase of phases) {
    const ws = await t.workspace(phase.catalog ? { catalogs: [phase.catalog] } : {});
    const u1 = await t.user(ws, `u1@${t.testDomain()}`);
    const opts = phase.catalog ? { catalog_name: phase.catalog } : {};
    const suffix = phases.length > 1 ? ` (${phase.label})` : '';
    const out = await t.connect(`connect u1${suffix}`, ws, u1, (ex) => expectNew(ex), opts);
    const resources = out.resources;
    const step = `wait up to ${wait.seconds} s for the partner to use its credentials${suffix}`;
    const judge = () =>
      p200Verdict({
        config: t.config,
        resources,
        catalog: phase.catalog,
        activity: activityOf(t.dbx.store.read(), { resources_id: resources.id }),
      });
    const v = await waitFor(wait, t, step, judge);
    notes.push(`${phases.length > 1 ? `${phase.label}: ` : ''}${conclude(step, 'activity', v, wait.seconds).note}`);
  }
  return { note: notes.join(' ') };
}

export async function runP201(t: JourneyContext, wait: CoreWait): Promise<{ manual: string } | { note: string }> {
  if (wait.seconds <= 0) return { manual: HOW_TO_AUTOMATE };
  const wsWith = await t.workspace();
  const dest = wsWith.external_locations[0] ?? `s3://pcsim-${wsWith.id.slice(-6)}/landing`;
  const u1 = await t.user(wsWith, `u1@${t.testDomain()}`);
  const withDest = await t.connect(`connect with destination_location ${dest}`, wsWith, u1, (ex) => expectNew(ex), { destination_location: dest });
  const wsWithout = await t.workspace();
  const u2 = await t.user(wsWithout, `u1@${t.testDomain()}`);
  const without = await t.connect('connect without destination_location', wsWithout, u2, (ex) => expectNew(ex));
  const connects: Resources[] = [withDest.resources, without.resources];
  const step = `wait up to ${wait.seconds} s for the partner's CREATE TABLE statements`;
  const v = await waitFor(wait, t, step, () => {
    const s = t.dbx.store.read();
    return p201Verdict(connects.map((resources) => ({ resources, activity: activityOf(s, { resources_id: resources.id }) })));
  });
  return conclude(step, 'LOCATION', v, wait.seconds);
}
