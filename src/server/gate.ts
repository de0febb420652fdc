/**
 * The request gate of `pcsim serve`: every request that reaches the open port gets an answer.
 * Before the app is ready (state read, partners registered, seeded) and while stopping, it is a
 * 503 problem with Retry-After; in between, the app. Stopping drains:
 * requests under way finish (bounded) while newcomers hear 503, then the port and every socket close.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** How long a stop waits for requests under way before cutting them. */
export const DRAIN_MS = 10_000;
/** How long a stop keeps answering 503 before it cuts idle sockets, even with nothing under way. */
const GRACE_MS = 250;
/** Long-lived streams (server-sent events) never finish by themselves: not waited for. */
const STREAMS = /^\/api\/events(\?|$)/;

function unavailable(res: ServerResponse, phase: 'starting' | 'stopping'): void {
  const message =
    phase === 'starting'
      ? 'Failed to serve the request: pcsim is starting (reading its state, registering partners). Expected to be ready within seconds; retry after Retry-After.'
      : 'Failed to serve the request: pcsim is stopping. Expected no new requests once a stop began; retry against the next start.';
  const body = JSON.stringify({ error: { code: 'unavailable', message, details: { phase } } });
  res.writeHead(503, {
    'content-type': 'application/json; charset=utf-8',
    'retry-after': '1',
    'cache-control': 'no-store',
    ...(phase === 'stopping' ? { connection: 'close' } : {}),
  });
  res.end(body);
}

export class RequestGate {
  #app: Handler | undefined;
  #stopping = false;
  #inFlight = 0;
  #idle: (() => void) | undefined;

  /** The server's request listener (bound: pass it to createServer). */
  readonly handle: Handler = (req, res) => {
    if (this.#stopping) return unavailable(res, 'stopping');
    if (!this.#app) return unavailable(res, 'starting');
    if (!STREAMS.test(req.url ?? '')) {
      this.#inFlight++;
      let done = false;
      const finished = () => {
        if (done) return;
        done = true;
        if (--this.#inFlight === 0) this.#idle?.();
      };
      res.once('finish', finished);
      res.once('close', finished);
    }
    this.#app(req, res);
  };

  get inFlight(): number {
    return this.#inFlight;
  }

  /** From now on requests go to `app`. */
  open(app: Handler): void {
    this.#app = app;
  }

  /**
   * Stops: new requests get 503 (Connection: close) while requests under way finish (at most
   * `ms`); then the port closes and every socket left (idle keep-alive, event streams, and what
   * `closeOthers` closes) is cut.
   * The port stays open during the drain so a client arriving then hears why instead of a reset.
   */
  async drain(server: Server, closeOthers: () => void = () => undefined, ms = DRAIN_MS): Promise<void> {
    this.#stopping = true;
    // However short the drain, a client whose next request on a kept-alive connection is already on
    // its way hears 503 rather than a reset: the sockets stay open a moment (GRACE_MS) first.
    const grace = new Promise<void>((resolve) => setTimeout(resolve, GRACE_MS));
    if (this.#inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (this.#idle = resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
      ]);
      clearTimeout(timer);
    }
    await grace;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    closeOthers(); // sockets the http server does not hold itself (the TLS side of the port)
    await closed;
  }
}
