/**
 * A router built on first use: start-up does not pay for what a session may never call. Requests
 * `wanted` says cannot be for it pass by without loading it; the first one that can waits for the
 * load (once, however many arrive together), and a failed load answers 500 and is tried again.
 */
import express, { type Request, type Router } from 'express';

export function lazyRouter(load: () => Promise<Router>, wanted: (req: Request) => boolean): Router {
  let loading: Promise<Router> | undefined;
  const outer = express.Router();
  outer.use((req, res, next) => {
    if (!wanted(req)) return next();
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    loading.then((router) => router(req, res, next), next);
  });
  return outer;
}
