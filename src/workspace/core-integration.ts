/**
 * The core integration (P200/P201) judged by the simulated workspace: the implementation of the
 * journeys' CoreIntegration interface. `pcsim run --wait-core` passes it to runJourneys, which
 * serves the workspace for the run; a catalogue journey's core_integration step asks it for the
 * verdict on what the partner did with the credentials of its connects.
 */
import type { CoreIntegration, CoreVerdict } from '../journeys/core.js';
import { activityOf } from './activity.js';
import type { WorkspaceTls } from './certificate.js';
import { serveWorkspace } from './serve.js';
import { p200Verdict, p201Verdict } from './verdicts.js';

/** `tls`: the workspace's certificate (--tls-cert/--tls-key, or one the partner already trusts); default: made per run. */
export function createCoreIntegration(opts: { tls?: WorkspaceTls } = {}): CoreIntegration {
  return {
    serve: (store) => serveWorkspace(store, { tls: opts.tls }),
    judge(check, { config, store, connects }): CoreVerdict {
      const s = store.read();
      if (check === 'location') {
        return p201Verdict(
          connects.map((resources) => ({ resources, activity: activityOf(s, { resources_id: resources.id }) })),
        );
      }
      // Every connect of the step must show its core integration. A connect that named a catalog
      // (P200's hive_metastore workspace: the seed asks for Unity Catalog and Hive Metastore) is
      // judged on that catalog; the reason says which workspace each verdict is about.
      const verdicts = connects.map((resources) => {
        const v = p200Verdict({
          config,
          resources,
          catalog: resources.catalog_name,
          activity: activityOf(s, { resources_id: resources.id }),
        });
        const where = resources.catalog_name ? `${resources.catalog_name} workspace` : 'Unity Catalog workspace';
        return connects.length > 1 ? { ...v, reason: `${where}: ${v.reason}` } : v;
      });
      const open = verdicts.find((v) => v.status !== 'passed');
      if (open) return open;
      if (verdicts.length === 0)
        return {
          status: 'pending',
          reason: 'Failed to judge P200: no connect to judge. Expected a connect before the core_integration step.',
        };
      return { status: 'passed', reason: verdicts.map((v) => v.reason).join(' ') };
    },
  };
}

/** The core integration with a certificate made for each run. */
export const coreIntegration: CoreIntegration = createCoreIntegration();
