/**
 * The workspace REST APIs live in rest/ by concern (identity, tokens, compute, catalog, files),
 * the Statement Execution API in statements.ts; rest/context.ts holds what every handler shares.
 */
export type { CallContext, CallResult, RestHandler } from './rest/context.js';
