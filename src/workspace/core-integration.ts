/**
 * The core integration (P200/P201) judged by the simulated workspace: the implementation of the
 * journeys' CoreIntegration interface. `pcsim run --wait-core` passes it to runJourneys, which
 * serves the workspace for the run; a catalogue journey's core_integration step asks it for the
 * verdict on what the partner did with the credentials of its connects.
 */
import type { CoreIntegration, CoreVerdict } from '../journeys/core.js';
import { activityOf } from './activity.js';
import { serveWorkspace } from './serve.js';
import { p200Verdict, p201Verdict } from './verdicts.js';

export const coreIntegration: CoreIntegration = {
  serve: (store) => serveWorkspace(store),
  judge(check, { config, store, connects }): CoreVerdict {
    const s = store.read();
    if (check === 'location') return p201Verdict(connects.map((resources) => ({ resources, activity: activityOf(s, { resources_id: resources.id }) })));
    // Every connect of the step must show its core integration (e.g. one per catalog).
    const verdicts = connects.map((resources) => p200Verdict({ config, resources, activity: activityOf(s, { resources_id: resources.id }) }));
    return verdicts.find((v) => v.status !== 'passed') ?? verdicts[0] ?? { status: 'pending', reason: 'Failed to judge P200: no connect to judge. Expected a connect before the core_integration step.' };
  },
};
