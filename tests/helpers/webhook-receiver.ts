/** A real HTTP server in the test process standing in for Slack: keeps each JSON body it receives. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startWebhookReceiver() {
  const received: Array<{ text: string; kind: string; details: Record<string, unknown> }> = [];
  let failNext = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => (body += b.toString()));
    req.on('end', () => {
      if (failNext > 0) {
        failNext -= 1;
        res.writeHead(500).end('boom');
        return;
      }
      received.push(JSON.parse(body));
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    kinds: () => received.map((r) => r.kind),
    fail: (n: number) => {
      failNext = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
