/**
 * partner.json, the file partners already keep for the official suite (CONTRACT §1). Loaded
 * unchanged; every problem is reported at once, each naming the file, the field, the value and
 * what was expected. Unknown fields and the informational fields real files omit are warnings.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import {
  AUTH_OPTIONS,
  type AuthOption,
  CATEGORIES,
  CLOUDS,
  DATA_PERMISSIONS,
  NEW_USER_ACTIONS,
  OBJECT_PERMISSION_LEVELS,
  OBJECT_PERMISSION_NAMES,
  RESOURCE_TYPES,
  TRIAL_TYPES,
} from './enums.js';
import { issuesToViolations, violation, type Violation } from './diagnostics.js';
import { tryParseJson } from './json.js';

const path = () => z.string().regex(/^\//, 'starts with "/"');

export const Endpoints = z.object({
  connect_path: path(),
  get_connectors_path: path().optional(),
  test_connection_path: path().optional(),
  delete_account_path: path().optional(),
  expire_account_path: path().optional(),
  delete_connection_path: path().optional(),
});

export const TestWorkspaceDetail = z.object({
  hostname: z.string().optional(),
  port: z.number().int().min(1).max(65535).optional(),
  jdbc_url: z.string().optional(),
  databricks_jdbc_url: z.string().optional(),
  http_path: z.string().optional(),
  cluster_id: z.string().optional(),
});

export const PartnerConfig = z
  .object({
    api_version: z.string().regex(/^\d+\.\d+\.\d+$/, 'is major.minor.patch (e.g. 2.1.1)'),
    name: z.string().min(1),
    description_blurb: z.string(),
    category: z.enum(CATEGORIES),
    base_url: z.url({ protocol: /^https?$/ }),
    endpoints: Endpoints,
    sign_up_page: z.string().optional(),
    privacy_policy: z.string().optional(),
    terms_of_service: z.string().optional(),
    logo_file: z.string().optional(),
    icon_file: z.string().optional(),
    resources_to_provision: z.array(z.object({ resource_type: z.enum(RESOURCE_TYPES) })),
    object_permissions: z
      .array(z.object({ name: z.enum(OBJECT_PERMISSION_NAMES), level: z.enum(OBJECT_PERMISSION_LEVELS) }))
      .optional(),
    data_permissions: z.array(z.object({ permission: z.enum(DATA_PERMISSIONS) })).optional(),
    supported_clouds: z.array(z.enum(CLOUDS)).min(1),
    hostnames: z.array(z.string().min(1)).min(1),
    new_user_action: z.enum(NEW_USER_ACTIONS),
    require_manual_signup: z.boolean().optional(),
    trial_type: z.enum(TRIAL_TYPES).optional(),
    supports_demo: z.boolean().optional(),
    auth_options: z.array(z.enum(AUTH_OPTIONS)).optional(),
    is_published_app: z.boolean().optional(),
    test_workspace_detail: TestWorkspaceDetail.optional(),
  })
  .superRefine((cfg, ctx) => {
    const auth = cfg.auth_options ?? [];
    if (auth.includes('AUTH_PAT') && auth.includes('AUTH_OAUTH_M2M')) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth_options'],
        message: 'AUTH_PAT and AUTH_OAUTH_M2M are mutually exclusive. Expected at most one of them.',
      });
    }
  });
export type PartnerConfig = z.output<typeof PartnerConfig>;

/** The informational fields the contract calls required but real files may omit. */
const WARN_IF_MISSING = ['sign_up_page', 'privacy_policy', 'terms_of_service', 'logo_file', 'icon_file'] as const;
const KNOWN = new Set(Object.keys(PartnerConfig.shape));
const KNOWN_ENDPOINTS = new Set(Object.keys(Endpoints.shape));

export type ConfigResult =
  | { ok: true; config: PartnerConfig; warnings: Violation[] }
  | { ok: false; problems: Violation[]; warnings: Violation[] };

/** A key as a field name: an empty or odd key (spaces, dots, quotes) is shown quoted, so the field is never blank. */
const keyField = (key: string) => (/^[\w-]+$/.test(key) ? key : JSON.stringify(key));

/** Validates an already-parsed partner config. `source` names it in messages (a file path). */
export function validatePartnerConfig(raw: unknown, source = 'partner config'): ConfigResult {
  const warnings: Violation[] = [];
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const obj = raw as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (!KNOWN.has(key))
        warnings.push(
          violation(
            'config.unknown_field',
            keyField(key),
            `${source}: unknown field ${keyField(key)} is ignored. Expected only the fields of partner.json (CONTRACT §1).`,
            'warning',
          ),
        );
    }
    const endpoints = obj.endpoints;
    if (endpoints && typeof endpoints === 'object') {
      for (const key of Object.keys(endpoints)) {
        if (!KNOWN_ENDPOINTS.has(key))
          warnings.push(
            violation(
              'config.unknown_field',
              `endpoints.${keyField(key)}`,
              `${source}: unknown endpoint endpoints.${keyField(key)} is ignored. Expected one of ${[...KNOWN_ENDPOINTS].join(', ')}.`,
              'warning',
            ),
          );
      }
    }
    for (const key of WARN_IF_MISSING) {
      if (obj[key] === undefined)
        warnings.push(
          violation(
            'config.missing_optional',
            key,
            `${source}: ${key} is missing. Databricks lists it on the tile; pcsim goes on without it.`,
            'warning',
          ),
        );
    }
  }
  const parsed = PartnerConfig.safeParse(raw);
  if (parsed.success) return { ok: true, config: parsed.data, warnings };
  const problems = issuesToViolations(parsed.error.issues, raw, 'config', `read ${source}`);
  return { ok: false, problems, warnings };
}

/** Reads and validates a partner.json file; never throws. */
export async function loadPartnerConfig(file: string): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return {
      ok: false,
      warnings: [],
      problems: [
        violation(
          'config.unreadable',
          '(file)',
          `Failed to read ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}. Expected a readable partner.json.`,
        ),
      ],
    };
  }
  const parsed = tryParseJson(text);
  if (!parsed.ok) {
    return {
      ok: false,
      warnings: [],
      problems: [
        violation(
          'config.not_json',
          '(file)',
          `Failed to read ${file}: it is not valid JSON (${parsed.message}). Expected a JSON object as in the official partner.json samples.`,
        ),
      ],
    };
  }
  return validatePartnerConfig(parsed.value, file);
}

/** Which optional APIs a partner implements, from its endpoints. */
export const hasEndpoint = (cfg: PartnerConfig, key: keyof PartnerConfig['endpoints']) => Boolean(cfg.endpoints[key]);

export function authOptionsOf(cfg: PartnerConfig): readonly AuthOption[] {
  return cfg.auth_options && cfg.auth_options.length > 0 ? cfg.auth_options : ['AUTH_PAT'];
}
