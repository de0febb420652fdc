/**
 * The core integration (P200/P201) as the journeys see it: an interface the run is given
 * (RunOptions.core), so journeys never import the simulated workspace that implements it
 * (src/workspace/core-integration.ts). The workspace serves the partner's calls and judges them.
 */
import type { PartnerConfig } from '../contract/partner-config.js';
import type { WorkspaceEndpoint } from '../databricks/databricks.js';
import type { Resources } from '../databricks/model.js';
import type { Store } from '../store/types.js';

export interface CoreVerdict {
  /** pending: not passed yet (the step waits for more activity, then fails with the reason); failed is final. */
  status: 'passed' | 'failed' | 'pending';
  reason: string;
}

/** What is judged: P200 (the partner used its credentials for its core kind) or P201 (tables follow the destination). */
export type CoreCheck = 'usage' | 'location';

export interface CoreIntegration {
  /** Serves the simulated workspace for one run; Connect payloads point at its endpoint. */
  serve(store: Store): Promise<{ endpoint: WorkspaceEndpoint; close(): Promise<void> }>;
  /** The verdict on what the partner did so far with the resources of these connects. */
  judge(check: CoreCheck, input: { config: PartnerConfig; store: Store; connects: readonly Resources[] }): CoreVerdict;
}

/** The reason P200/P201 are manual when the run judges no core integration. */
export const HOW_TO_AUTOMATE =
  'judged by hand (see manual_checks); to judge it automatically, run with --wait-core SECONDS (pcsim run): the run serves the simulated workspace, the partner calls it back with the credentials it received, and the journey judges those calls';
