import { connect } from 'node:net';
import { request } from 'node:http';
import { loadConfig } from '../../src/config';
import { ViewerDocument } from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { openWsClient, wsRequest } from '../helpers/ws-client';

const LIMIT = 64 * 1024;

/** What a raw TCP client receives until the server closes the connection. */
function rawExchange(port: number, send: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(send));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

describe('HTTP limits before and after authentication', () => {
  let t: TestServer;
  const transport = { ...loadConfig({}).transport, maxBodyBytes: LIMIT, headersTimeoutMs: 300, requestTimeoutMs: 600 };
  beforeAll(async () => {
    t = await startTestServer({ transport });
  });
  afterAll(() => t.close());

  const post = (body: string, key = t.adminKey) =>
    fetch(t.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body,
    });

  it('answers 401 to a request without a valid key before reading its body', async () => {
    // Headers announce 15 MB but only 1 KB is sent: the answer cannot depend on the rest.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(t.server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': 15 * 1024 * 1024, authorization: 'Bearer mtr_not-a-key' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('x'.repeat(1024));
    });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('answers 401, not 400, to an unreadable body without a key', async () => {
    const res = await post('{"query": ', '');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('reads bodies up to MAX_BODY_BYTES once the key is accepted, and refuses larger ones with 413', async () => {
    const within = await post(JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(LIMIT - 100) } }));
    expect(within.status).toBe(200);
    expect(await within.json()).toEqual({ data: { __typename: 'Query' } });
    const past = await post(JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(LIMIT) } }));
    expect(past.status).toBe(413);
    expect(await past.json()).toEqual({ errors: [{ message: 'The request body is too large', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('never echoes a large input in an error message', async () => {
    const pad = 'y'.repeat(50_000);
    const res = await post(JSON.stringify({ query: 'query($b: Boolean!) { __typename @include(if: $b) }', variables: { b: pad } }));
    const { errors } = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(errors[0]!.message).toContain(`"${'y'.repeat(100)}…"`);
    expect(errors[0]!.message).toContain('Boolean cannot represent');
    expect(errors[0]!.message.length).toBeLessThanOrEqual(1001);
  });

  it('closes a connection whose headers do not arrive in HEADERS_TIMEOUT_MS with 408', async () => {
    const received = await rawExchange(t.server.port, 'POST /graphql HTTP/1.1\r\nHost: localhost\r\n');
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection whose body does not arrive in REQUEST_TIMEOUT_MS with 408', async () => {
    const head = [
      'POST /graphql HTTP/1.1',
      'Host: localhost',
      'Content-Type: application/json',
      `Authorization: Bearer ${t.adminKey}`,
      'Content-Length: 1000',
    ].join('\r\n');
    const received = await rawExchange(t.server.port, `${head}\r\n\r\n{"query":`);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('leaves websockets, which outlive any request timeout, open', async () => {
    const ws = openWsClient(t.server.wsUrl, t.adminKey);
    try {
      expect((await wsRequest(ws, ViewerDocument)).data?.viewer.role).toBe('PLATFORM_ADMIN');
      await new Promise((resolve) => setTimeout(resolve, 3 * transport.requestTimeoutMs));
      expect((await wsRequest(ws, ViewerDocument)).data?.viewer.role).toBe('PLATFORM_ADMIN');
    } finally {
      await ws.dispose();
    }
  });
});
