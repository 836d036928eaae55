import type { IncomingMessage, ServerResponse } from 'node:http';
import bodyParser from 'body-parser';

/** The content types every client we know sends: JSON in UTF-8 (in lower case, as they send it). */
const PLAIN_JSON = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);

/** JSON's whitespace, then the first character: strict JSON bodies are objects or arrays, as body-parser's. */
const FIRST_CHAR = /^[ \t\n\r]*(.)/;

type Next = (err?: unknown) => void;

/**
 * Reads a JSON body into `req.body`, as body-parser's JSON middleware does
 * (strict: an object or an array; errors carrying the status and type it
 * gives). The body of almost every request (UTF-8 JSON, its length declared
 * and within the limit, not compressed) is read straight from the stream:
 * body-parser's content-type matching, charset decoder and debug calls cost
 * as much again as the read on the API's hottest queries. Anything else
 * (compressed, chunked, another charset or type, too large) is body-parser's.
 */
export function jsonBodyReader(limitBytes: number): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const parseJson = bodyParser.json({ limit: limitBytes });
  return (req, res, next) => {
    const length = plainLength(req, limitBytes);
    if (length === null) parseJson(req, res, next);
    else readPlain(req, length, next);
  };
}

/** The declared length of a plain JSON body within the limit, or null for body-parser to read. */
function plainLength(req: IncomingMessage, limitBytes: number): number | null {
  const type = req.headers['content-type'];
  if (type === undefined || !PLAIN_JSON.has(type)) return null;
  if (req.headers['content-encoding'] !== undefined || req.headers['transfer-encoding'] !== undefined) return null;
  const length = Number(req.headers['content-length']);
  return Number.isSafeInteger(length) && length > 0 && length <= limitBytes ? length : null;
}

function readPlain(req: IncomingMessage, length: number, next: Next): void {
  const chunks: Buffer[] = [];
  const onData = (chunk: Buffer) => chunks.push(chunk);
  const onEnd = () => {
    req.off('error', onError);
    let text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)).toString('utf8');
    // body-parser's decoder drops a byte-order mark.
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const first = FIRST_CHAR.exec(text)?.[1];
    try {
      if (first !== '{' && first !== '[') throw new SyntaxError('strict violation');
      (req as IncomingMessage & { body?: unknown }).body = JSON.parse(text);
    } catch (err) {
      next(Object.assign(err as Error, { status: 400, type: 'entity.parse.failed' }));
      return;
    }
    next();
  };
  const onError = (err: Error) => {
    req.off('data', onData);
    req.off('end', onEnd);
    next(Object.assign(err, { status: 400, type: 'request.aborted' }));
  };
  req.on('data', onData);
  req.once('end', onEnd);
  req.once('error', onError);
}
