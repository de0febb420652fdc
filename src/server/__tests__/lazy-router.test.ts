import { describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { lazyRouter } from '../lazy-router.js';

function appWith(load: () => Promise<express.Router>) {
  const app = express();
  app.use(lazyRouter(load, (req) => req.path.startsWith('/ws/')));
  app.get('/ui', (_req, res) => void res.send('ui'));
  app.use((_req, res) => void res.status(404).send('none'));
  app.use(
    (_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) =>
      void res.status(500).send('load failed'),
  );
  return app;
}

const wsRouter = () => {
  const r = express.Router();
  r.get('/ws/ping', (_req, res) => void res.send('pong'));
  return r;
};

describe('lazyRouter', () => {
  it('loads on the first request it wants, once, however many arrive together; others pass by unloaded', async () => {
    let loads = 0;
    const app = appWith(async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 20));
      return wsRouter();
    });
    expect((await request(app).get('/ui')).text).toBe('ui');
    expect(loads).toBe(0);
    const answers = await Promise.all([1, 2, 3].map(() => request(app).get('/ws/ping')));
    expect(answers.map((a) => a.text)).toEqual(['pong', 'pong', 'pong']);
    expect(loads).toBe(1);
    expect((await request(app).get('/ws/other')).status).toBe(404); // falls through the loaded router
  });

  it('answers a failed load with an error and tries again on the next request', async () => {
    let loads = 0;
    const app = appWith(async () => {
      if (++loads === 1) throw new Error('disk hiccup');
      return wsRouter();
    });
    expect((await request(app).get('/ws/ping')).status).toBe(500);
    expect((await request(app).get('/ws/ping')).text).toBe('pong');
    expect(loads).toBe(2);
  });
});
