import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

/**
 * The fan-out baseline: a bare `ws` server that broadcasts a message of the
 * given size to every socket when asked (POST /broadcast?bytes=N). Nothing
 * else: no GraphQL, no database, no coalescing.
 */
const http = createServer((req, res) => {
  const bytes = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('bytes') ?? 1000);
  const body = JSON.stringify({ sentAt: Date.now(), padding: 'x'.repeat(Math.max(0, bytes - 40)) });
  for (const socket of wss.clients) socket.send(body);
  res.end('ok');
});
const wss = new WebSocketServer({ server: http });
http.listen(Number(process.env.PORT), '127.0.0.1', () => process.stderr.write('ready\n'));
process.on('SIGTERM', () => {
  for (const socket of wss.clients) socket.terminate();
  http.close(() => process.exit(0));
});
