import http from 'node:http';
const port = 18600 + Math.floor(Math.random()*100);
const poll = () => new Promise(r => { const q = http.get({host:'127.0.0.1',port,path:'/api/health'}, res => { res.resume(); r(res.statusCode); }); q.on('error', () => r(0)); });
const done = (async () => { for (;;) { if (await poll() === 200) return performance.now(); await new Promise(r => setTimeout(r, 2)); } })();
const { main } = await import('./dist/cli.js');
main(['serve', '--data', process.argv[2], '--port', String(port)], { out: () => {}, err: () => {}, env: process.env });
const t = await done;
console.log('health 200 at', t.toFixed(0));
process.exit(0);
