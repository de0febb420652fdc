/**
 * A router built on first use: start-up does not pay for what a session may never call. Requests
 * `wanted` says cannot be for it pass by without loading it; the first one that can waits for the
 * load (once, however many arrive together), and a failed load answers 500 and is tried again.
 */
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';

/** A plain middleware, not a Router around one: every request of the app passes by it. */
export function lazyRouter(load: () => Promise<Router>, wanted: (req: Request) => boolean): RequestHandler {
  let loading: Promise<Router> | undefined;
  let loaded: Router | undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!wanted(req)) return next();
    if (loaded) return loaded(req, res, next);
    loading ??= load().then(
      (router) => (loaded = router),
      (err: unknown) => {
        loading = undefined;
        throw err;
      },
    );
    loading.then((router) => router(req, res, next), next);
  };
}
