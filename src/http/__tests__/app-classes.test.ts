import { describe, expect, it } from '@jest/globals';
import { createServer, IncomingMessage, ServerResponse, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { appClasses, type ServerClasses } from '../app-classes.js';

/** Serves `listener` on 127.0.0.1 port 0 with `options`, runs `use`, closes. */
async function serving(
  options: ServerClasses | Record<string, never>,
  listener: RequestListener,
  use: (url: string) => Promise<void>,
): Promise<void> {
  const server = createServer(options, listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

function echoApp() {
  const app = express();
  app.get('/echo', (req, res) => void res.json({ host: req.get('host'), q: req.query.q, path: req.path }));
  return app;
}

describe('appClasses', () => {
  it("makes each request and response with the app's own prototypes, so express has nothing to switch", async () => {
    const app = echoApp();
    const seen: boolean[] = [];
    const listener: RequestListener = (req, res) => {
      seen.push(Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response);
      app(req, res);
    };
    await serving(appClasses(app).options, listener, async (url) => {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${url}/echo?q=${i}`);
        expect(await res.json()).toEqual({ host: new URL(url).host, q: String(i), path: '/echo' });
      }
    });
    expect(seen).toEqual([true, true, true]);
    // Node's own classes (what express meets without them): the prototypes differ on arrival.
    const plain: boolean[] = [];
    await serving(
      {},
      (req, res) => {
        plain.push(Object.getPrototypeOf(req) === app.request);
        app(req, res);
      },
      async (url) => void (await (await fetch(`${url}/echo`)).text()),
    );
    expect(plain).toEqual([false]);
  });

  it("gives Node's prototypes until the app is adopted, then the app's", async () => {
    const app = echoApp();
    const classes = appClasses();
    let handler: RequestListener = (_req, res) => void res.writeHead(503).end('starting');
    const protos: object[] = [];
    await serving(
      classes.options,
      (req, res) => {
        protos.push(Object.getPrototypeOf(req), Object.getPrototypeOf(res));
        handler(req, res);
      },
      async (url) => {
        expect((await fetch(`${url}/echo`)).status).toBe(503);
        classes.adopt(app);
        handler = app;
        expect(await (await fetch(`${url}/echo?q=x`)).json()).toMatchObject({ q: 'x' });
      },
    );
    expect(protos).toEqual([IncomingMessage.prototype, ServerResponse.prototype, app.request, app.response]);
  });
});
