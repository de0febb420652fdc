/**
 * pcsim's own refusals (unknown workspace, user already there…), one table of kinds. The server
 * maps `kind` to a status; the CLI prints `message`. A partner's misbehaviour is never one of
 * these: it is a verdict on an exchange.
 */
export const ERROR_KINDS = {
  not_found: 404,
  invalid_input: 400,
  conflict: 409,
  not_supported: 422,
} as const;
export type ErrorKind = keyof typeof ERROR_KINDS;

export class DatabricksError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DatabricksError';
  }
}

export const notFound = (what: string, id: string) =>
  new DatabricksError(
    'not_found',
    `Failed to find ${what} ${id}: no such ${what} in this simulator. Expected the id of an existing ${what}.`,
    { [what]: id },
  );
