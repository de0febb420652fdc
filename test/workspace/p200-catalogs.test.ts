/**
 * P200 judged with Unity Catalog and with Hive Metastore (seed: "test with both"): the reference
 * partner connects twice, the second time into a workspace whose only catalog is hive_metastore
 * (catalog_name in the Connect payload), and must run a statement there.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { selectJourneys } from '../../src/journeys/catalogue.js';
import { runJourneys } from '../../src/journeys/runner.js';
import { startReferencePartner, type RunningReferencePartner } from '../../src/reference-partner/index.js';

const creds = { user: 'databricks', password: 'pcsim-reference-secret' };
const pick = (ids: string) =>
  (selectJourneys(ids) as { journeys: NonNullable<Parameters<typeof runJourneys>[0]['journeys']> }).journeys;

let ref: RunningReferencePartner | undefined;
afterEach(async () => ref?.close());

describe('P200 with both catalogs', () => {
  it('connects into a Unity Catalog and a hive_metastore workspace and names the catalog used in each', async () => {
    ref = await startReferencePartner({ basicUser: creds.user, basicPassword: creds.password, coreIntegration: true });
    const config = { ...ref.config, category: 'BI_AND_VIZ' as const };
    const report = await runJourneys({
      config,
      credentials: creds,
      journeys: pick('P200'),
      retryBackoffMs: [0, 0, 0],
      waitCore: 20,
    });
    const p200 = report.journeys[0]!;
    expect(p200.status).toBe('passed');
    expect(p200.steps.map((s) => s.name)).toEqual(
      expect.arrayContaining(['connect u1 (Unity Catalog workspace)', 'connect u1 (hive_metastore workspace)']),
    );
    expect(p200.reason).toMatch(/Unity Catalog workspace: .*successful (query|write) call on catalog (main|samples)/);
    expect(p200.reason).toMatch(/hive_metastore workspace: .*on catalog hive_metastore/);
  });
});
