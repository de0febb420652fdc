/**
 * The small HTTP client the reference partner's core integration calls the workspace with. It
 * takes an undici dispatcher (or a CA bundle for pcsim's own TLS), so moving the workspace to
 * https with a private CA is one option, not a rewrite. It never logs what it sends.
 */
import type { Dispatcher } from 'undici';

export interface WorkspaceTls {
  /** PEM of the CA that signs the workspace's certificate (pcsim's own CA). */
  ca?: string | Buffer;
  /** Or the CA still being made (pcsim serve makes it once its first requests are answered). */
  caReady?: Promise<string | undefined>;
  /** Or a dispatcher of one's own (a proxy, a mock agent); takes precedence over ca. */
  dispatcher?: Dispatcher;
}

export interface WorkspaceAnswer {
  status: number;
  body: unknown;
}

export interface WorkspaceClient {
  /** Sends one request; resolves with the status and the JSON body (undefined when not JSON), throws on network errors. */
  request(
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<WorkspaceAnswer>;
}

/** A client for the workspace at `base` (scheme://host:port, no path). */
export function workspaceClient(base: string, tls: WorkspaceTls = {}, timeoutMs = 5000): WorkspaceClient {
  // undici loads with the first call: most partners never run the core integration in a given process.
  let dispatcher: Dispatcher | undefined = tls.dispatcher;
  return {
    async request(path, init) {
      const undici = await import('undici');
      const ca = dispatcher ? undefined : (tls.ca ?? (await tls.caReady));
      if (!dispatcher && ca) dispatcher = new undici.Agent({ connect: { ca } });
      const res = await undici.fetch(`${base}${path}`, { ...init, dispatcher, signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      return { status: res.status, body };
    },
  };
}
