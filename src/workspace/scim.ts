/** SCIM Me: who the token belongs to — the service principal (PAT, M2M) or the signed-in user (U2M). */
import type { State } from '../databricks/model.js';
import type { Principal } from './tokens.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal';

export function scimMe(state: Readonly<State>, p: Principal): Record<string, unknown> {
  if (p.auth === 'oauth_u2m' && p.user_id) {
    const u = state.users.find((x) => x.id === p.user_id);
    if (u) {
      return {
        schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extension:workspace:2.0:User'],
        id: u.id,
        userName: u.email,
        displayName: `${u.first_name} ${u.last_name}`.trim() || u.email,
        name: { givenName: u.first_name, familyName: u.last_name },
        emails: [{ type: 'work', value: u.email, primary: true }],
        active: true,
        groups: u.admin ? [{ display: 'admins', type: 'direct', value: 'admins' }] : [],
        entitlements: [{ value: 'workspace-access' }, { value: 'databricks-sql-access' }],
      };
    }
  }
  const partner = state.partners.find((x) => x.id === p.resources.partner_id);
  return {
    schemas: [SP_SCHEMA],
    id: p.resources.service_principal_id,
    applicationId: p.resources.service_principal_id,
    userName: p.resources.service_principal_id,
    displayName: `${partner?.config.name ?? p.resources.partner_id} (Partner Connect)`,
    active: true,
    groups: [],
    entitlements: [{ value: 'workspace-access' }, { value: 'databricks-sql-access' }],
  };
}
