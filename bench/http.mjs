// One JSON request over a given agent, for the benchmarks: resolves with the status, the text and
// the milliseconds it took (never rejects on an HTTP status, only on a network error).
import http from 'node:http';

export function request(agent, url, method = 'GET', body, headers = {}) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = http.request(
      url,
      { method, agent, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, text, ms: performance.now() - t }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
