/**
 * The request and response classes of a node:http server that serves an express app.
 *
 * Express gives every request and response its app's prototypes with Object.setPrototypeOf.
 * In V8 that makes them outlive the young generation: measured with a plain express 5 app and
 * sequential keep-alive requests, ~8 KB per request is promoted and a scavenge pauses 4.4 ms
 * instead of 0.3 ms. Born with those prototypes, the switch is a no-op and the requests die young,
 * as with a bare node:http server.
 * See docs/decisions/0018-requests-born-with-the-apps-prototypes.md.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** What express puts on an app: the prototypes its requests and responses get. */
export interface AppPrototypes {
  request: object;
  response: object;
}

/** The `IncomingMessage` and `ServerResponse` options of http(s).createServer. */
export interface ServerClasses {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
}

export interface AppClasses {
  /** For http(s).createServer(options, listener). */
  readonly options: ServerClasses;
  /** From now on requests and responses are made with `app`'s prototypes (before: Node's own). */
  adopt(app: AppPrototypes): void;
}

/** Classes for a server whose app may come later (`adopt`); given `app`, they start with its prototypes. */
export function appClasses(app?: AppPrototypes): AppClasses {
  // Function constructors, as Node's own: their `prototype` can be replaced once the app exists.
  function Request(this: IncomingMessage, socket: Socket): void {
    Reflect.apply(IncomingMessage, this, [socket]);
  }
  function Response(this: ServerResponse, req: IncomingMessage, options?: unknown): void {
    Reflect.apply(ServerResponse, this, [req, options]);
  }
  Request.prototype = IncomingMessage.prototype;
  Response.prototype = ServerResponse.prototype;
  const adopt = (a: AppPrototypes) => {
    // Express's own prototypes inherit Node's (express/lib/request.js, response.js).
    Request.prototype = a.request as IncomingMessage;
    Response.prototype = a.response as ServerResponse;
  };
  if (app) adopt(app);
  return {
    options: {
      IncomingMessage: Request as unknown as typeof IncomingMessage,
      ServerResponse: Response as unknown as typeof ServerResponse,
    },
    adopt,
  };
}
