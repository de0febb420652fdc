/** A valid partner config for the databricks tests, with `extra` fields over it. */
import { validatePartnerConfig, type PartnerConfig } from '../../contract/partner-config.js';

export function partnerConfig(extra: Record<string, unknown> = {}): PartnerConfig {
  const r = validatePartnerConfig({
    api_version: '2.1.1',
    name: 'p',
    description_blurb: '',
    category: 'INGEST',
    base_url: 'http://localhost:8080',
    endpoints: { connect_path: '/connect' },
    resources_to_provision: [{ resource_type: 'SqlEndpoint' }],
    supported_clouds: ['aws'],
    hostnames: ['localhost'],
    new_user_action: 'auto_add',
    ...extra,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}
