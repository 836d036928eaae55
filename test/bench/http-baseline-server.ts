import { createServer } from 'node:http';

/**
 * The HTTP floor of the entitlement check: a bare node:http server that reads
 * each POST body, parses it as JSON and answers the fixed JSON of `BODY` (an
 * answer of the check, so that both carry as many bytes). Nothing else: no
 * GraphQL, no key, no cache, one process.
 */
const answer = process.env.BODY ?? '{}';
const http = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(answer);
  });
});
http.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => http.close(() => process.exit(0)));
