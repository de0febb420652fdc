/**
 * Pages of the admin API's lists: `?limit=N&page_token=T`; an answer carries `next_page_token`
 * while more remain. A token is opaque to clients (the offset, base64url), so a page costs the
 * page, not the list. Lists kept oldest first page from the start; newest-first ones from the end.
 */
import { z } from 'zod';
import { ApiError } from './errors.js';

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

export const pageToken = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,24}$/, 'Expected the next_page_token of a previous page.')
  .optional()
  .describe('the next_page_token of the previous page (absent: the first page)');

export const pageLimit = (what: string) =>
  z
    .string()
    .regex(/^\d+$/, 'Expected a whole number.')
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_PAGE))
    .optional()
    .describe(`at most this many ${what} per page (1-${MAX_PAGE}, default ${DEFAULT_PAGE})`);

export const PageQuery = (what: string) => z.object({ limit: pageLimit(what), page_token: pageToken });

const encode = (offset: number) => Buffer.from(`o${offset}`).toString('base64url');

function decode(token: string | undefined): number {
  if (token === undefined) return 0;
  const m = /^o(\d{1,12})$/.exec(Buffer.from(token, 'base64url').toString());
  if (!m)
    throw new ApiError(
      'validation_failed',
      `Failed to read page_token: ${JSON.stringify(token)} is not a token pcsim issued. Expected the next_page_token of a previous page.`,
      { field: 'page_token', value: token },
    );
  return Number(m[1]);
}

/** One page of `list` (in the list's order), and the token of the next. */
export function page<T>(
  list: readonly T[],
  q: { limit?: number; page_token?: string },
): { items: T[]; next_page_token?: string } {
  const from = decode(q.page_token);
  const to = from + (q.limit ?? DEFAULT_PAGE);
  return { items: list.slice(from, to), ...(to < list.length ? { next_page_token: encode(to) } : {}) };
}

/** One page of `list` newest first (from its end), and the token of the next. */
export function pageNewestFirst<T>(
  list: readonly T[],
  q: { limit?: number; page_token?: string },
): { items: T[]; next_page_token?: string } {
  const from = decode(q.page_token);
  const to = from + (q.limit ?? DEFAULT_PAGE);
  const end = Math.max(0, list.length - from);
  const start = Math.max(0, list.length - to);
  return { items: list.slice(start, end).reverse(), ...(start > 0 ? { next_page_token: encode(to) } : {}) };
}
