import { describe, expect, it } from '@jest/globals';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadPartnerConfig } from '../../contract/partner-config.js';
import { createReferencePartnerApp } from '../index.js';

const DIR = fileURLToPath(new URL('../../../fixtures/partners/', import.meta.url));

describe('fixtures/partners', () => {
  it('holds the expected files', async () => {
    const files = (await readdir(DIR)).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'interactive-cluster.json',
        'manual-signup.json',
        'minimal.json',
        'new-user-error.json',
        'new-user-invite.json',
        'new-user-not-found.json',
        'reference.json',
        'sql-warehouse.json',
      ]),
    );
  });

  it('every file loads with loadPartnerConfig without problems (minimal only warns about the informational fields)', async () => {
    const files = (await readdir(DIR)).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const result = await loadPartnerConfig(DIR + file);
      if (!result.ok) throw new Error(`${file}: ${result.problems.map((p) => p.message).join('; ')}`);
      expect(result.config.base_url).toBe('http://localhost:8080');
      if (file === 'minimal.json') {
        expect(result.config.endpoints).toEqual({ connect_path: '/connect' });
        expect(result.warnings.every((w) => w.rule === 'config.missing_optional')).toBe(true);
      } else {
        expect([file, result.warnings]).toEqual([file, []]);
      }
    }
  });

  it('each behaviour fixture says what its name says', async () => {
    const load = async (f: string) => {
      const r = await loadPartnerConfig(DIR + f);
      if (!r.ok) throw new Error(f);
      return r.config;
    };
    expect((await load('new-user-invite.json')).new_user_action).toBe('invite');
    expect((await load('new-user-not-found.json')).new_user_action).toBe('not_found');
    expect((await load('new-user-error.json')).new_user_action).toBe('error');
    expect((await load('manual-signup.json')).require_manual_signup).toBe(true);
    expect((await load('interactive-cluster.json')).resources_to_provision).toEqual([
      { resource_type: 'InteractiveCluster' },
    ]);
    expect((await load('sql-warehouse.json')).resources_to_provision).toEqual([{ resource_type: 'SqlEndpoint' }]);
  });

  it('reference.json is exactly what the reference partner says of itself on localhost:8080', async () => {
    const r = await loadPartnerConfig(`${DIR}reference.json`);
    if (!r.ok) throw new Error('reference.json');
    expect(r.config.hostnames).toEqual(['localhost', '127.0.0.1']);
    expect(createReferencePartnerApp().configFor('http://localhost:8080')).toEqual(r.config);
  });
});
