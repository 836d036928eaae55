import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import bodyParser from 'body-parser';
import { jsonBodyReader } from '../json-body';

const LIMIT = 1000;

interface Outcome {
  body?: unknown;
  status?: number;
  type?: string;
}

type Reader = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** A server answering what the reader made of each request: the body, or the error's status and type. */
async function serve(read: Reader): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) =>
    read(req, res, (err) => {
      const failure = err as { status?: number; type?: string } | undefined;
      const outcome: Outcome = failure ? { status: failure.status, type: failure.type } : { body: (req as { body?: unknown }).body };
      res.end(JSON.stringify(outcome));
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function send(port: number, body: Buffer, headers: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Outcome));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A request as a client sends it: a declared length unless `chunked`. */
const sent = (text: string | Buffer, type = 'application/json', extra: Record<string, string> = {}, chunked = false) => {
  const body = typeof text === 'string' ? Buffer.from(text) : text;
  const headers: Record<string, string> = { 'content-type': type, ...extra };
  if (chunked) headers['transfer-encoding'] = 'chunked';
  else headers['content-length'] = String(body.length);
  return { body, headers };
};

describe('jsonBodyReader', () => {
  let lean: { server: Server; port: number };
  let reference: { server: Server; port: number };
  beforeAll(async () => {
    lean = await serve(jsonBodyReader(LIMIT));
    reference = await serve(bodyParser.json({ limit: LIMIT }));
  });
  afterAll(async () => {
    await new Promise((resolve) => lean.server.close(resolve));
    await new Promise((resolve) => reference.server.close(resolve));
  });

  const cases: Array<[string, ReturnType<typeof sent>, Outcome]> = [
    [
      'an object',
      sent('{"query":"{ viewer { role } }","variables":{"a":[1,2]}}'),
      { body: { query: '{ viewer { role } }', variables: { a: [1, 2] } } },
    ],
    ['an array, after whitespace', sent(' \n[{"query":"x"}]'), { body: [{ query: 'x' }] }],
    ['the declared charset', sent('{"a":"é"}', 'application/json; charset=utf-8'), { body: { a: 'é' } }],
    ['a byte-order mark', sent('\ufeff{"a":1}'), { body: { a: 1 } }],
    ['a JSON string', sent('"{ viewer { role } }"'), { status: 400, type: 'entity.parse.failed' }],
    ['a number', sent('42'), { status: 400, type: 'entity.parse.failed' }],
    ['broken JSON', sent('{"query": '), { status: 400, type: 'entity.parse.failed' }],
    ['an empty body', sent(''), { body: {} }],
    ['a body past the limit', sent(`{"a":"${'x'.repeat(LIMIT)}"}`), { status: 413, type: 'entity.too.large' }],
    ['a gzipped body', sent(gzipSync('{"a":1}'), 'application/json', { 'content-encoding': 'gzip' }), { body: { a: 1 } }],
    ['a chunked body', sent('{"a":1}', 'application/json', {}, true), { body: { a: 1 } }],
    ['another charset', sent('{"a":1}', 'application/json; charset=latin1'), { status: 415, type: 'charset.unsupported' }],
    ['the type in capitals', sent('{"a":1}', 'Application/JSON'), { body: { a: 1 } }],
  ];

  it.each(cases)('reads %s as body-parser does', async (_name, { body, headers }, expected) => {
    const [mine, theirs] = await Promise.all([send(lean.port, body, headers), send(reference.port, body, headers)]);
    expect(mine).toEqual(expected);
    expect(theirs).toEqual(expected);
  });
});

describe('jsonBodyReader on a client that leaves mid-body', () => {
  it("reports the abort with body-parser's status and type", async () => {
    const outcomes: Array<{ status?: number; type?: string }> = [];
    const reported = new Promise<void>((resolve) => {
      const read = jsonBodyReader(LIMIT);
      const server = createServer((req, res) =>
        read(req, res, (err) => {
          outcomes.push(err as { status?: number; type?: string });
          server.close();
          resolve();
        }),
      );
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        const req = request({
          port,
          host: '127.0.0.1',
          method: 'POST',
          path: '/',
          headers: { 'content-type': 'application/json', 'content-length': '100' },
        });
        req.on('error', () => undefined);
        req.write('{"query":');
        setTimeout(() => req.destroy(), 50);
      });
    });
    await reported;
    expect(outcomes).toEqual([expect.objectContaining({ status: 400, type: 'request.aborted' })]);
  });
});
