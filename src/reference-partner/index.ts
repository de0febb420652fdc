/** The reference partner: a compliant Partner Connect partner, pcsim's default target and its tests' opponent. */
export { FAULTS, HOOKS, DEFAULT_BASIC_USER, DEFAULT_BASIC_PASSWORD, resolveOptions } from './types.js';
export type { Fault, Hook, ReferencePartnerOptions, ResolvedOptions } from './types.js';
export { PartnerModel, isTestDomain, domainOf } from './model.js';
export type {
  Account,
  PartnerUser,
  PartnerConnection,
  ModelSettings,
  ConnectInput,
  ConnectAnswer,
  ConnectOutcome,
  ErrorBody,
  Refusal,
  ConnectorsPage,
} from './model.js';
export { createReferencePartnerApp, startReferencePartner, PATHS } from './app.js';
export type { ReferencePartnerApp, RunningReferencePartner } from './app.js';
