import { describe, expect, it } from '@jest/globals';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPartnerConfig, validatePartnerConfig } from '../partner-config.js';

const valid = {
  api_version: '2.1.1',
  name: 'Acme Ingest',
  description_blurb: 'Moves data',
  category: 'INGEST',
  base_url: 'http://localhost:8080',
  endpoints: { connect_path: '/connect' },
  sign_up_page: 'http://localhost/signup',
  privacy_policy: 'http://localhost/privacy',
  terms_of_service: 'http://localhost/tos',
  logo_file: 'logo.png',
  icon_file: 'icon.png',
  resources_to_provision: [{ resource_type: 'SqlEndpoint' }],
  supported_clouds: ['aws'],
  hostnames: ['localhost'],
  new_user_action: 'auto_add',
};

async function file(content: string) {
  const dir = await mkdtemp(join(tmpdir(), 'pcsim-cfg-'));
  const path = join(dir, 'partner.json');
  await writeFile(path, content);
  return path;
}

describe('partner.json', () => {
  it('accepts a file in the official format', () => {
    const r = validatePartnerConfig(valid, 'partner.json');
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([]);
  });

  it('reports every problem at once, naming field, value and expectation', () => {
    const bad = { ...valid, category: 'ETL', new_user_action: 'AUTO_ADD', hostnames: undefined };
    const r = validatePartnerConfig(bad, 'acme.json');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const fields = r.problems.map((p) => p.field).sort();
    expect(fields).toEqual(['category', 'hostnames', 'new_user_action']);
    const category = r.problems.find((p) => p.field === 'category')!;
    expect(category.message).toContain('"ETL"');
    expect(category.message).toContain('acme.json');
    expect(category.message).toContain('"INGEST"');
    expect(r.problems.find((p) => p.field === 'hostnames')!.message).toContain('missing');
  });

  it('warns about unknown fields and omitted informational fields but accepts the file', () => {
    const { logo_file: _l, ...rest } = valid;
    const r = validatePartnerConfig({ ...rest, colour: 'blue' }, 'p.json');
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => w.field).sort()).toEqual(['colour', 'logo_file']);
  });

  it('refuses PAT with M2M together', () => {
    const r = validatePartnerConfig({ ...valid, auth_options: ['AUTH_PAT', 'AUTH_OAUTH_M2M'] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.field).toBe('auth_options');
  });

  it('names the file when it is not JSON or missing', async () => {
    const path = await file('{ "name": ');
    const r = await loadPartnerConfig(path);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.message).toContain(path);
    const missing = await loadPartnerConfig('/nonexistent/partner.json');
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.problems[0]!.message).toContain('no such file');
  });
});
