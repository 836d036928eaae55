import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers a browser on an allowed origin may send to /graphql: the key, JSON, and Apollo's CSRF headers. */
const ALLOWED_HEADERS = 'Authorization, Content-Type, Apollo-Require-Preflight, X-Apollo-Operation-Name, X-Request-Id';
/** How long a browser may reuse a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE = '600';

/** `CORS_ORIGINS`: comma-separated origins (`https://app.example.com`); anything with a path or another scheme is refused. */
export function parseCorsOrigins(value: string | undefined): string[] {
  const origins = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return origins.map((entry) => {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== entry.replace(/\/$/, '').toLowerCase()) {
      throw new Error(`CORS_ORIGINS: "${entry}" is not an origin (scheme://host[:port], e.g. https://app.example.com)`);
    }
    return url.origin;
  });
}

/** Which browser origins may call /graphql: the allow-list, and always the server's own (the dashboard). */
export class CorsPolicy {
  private readonly origins: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    this.origins = new Set(origins);
  }

  get enabled(): boolean {
    return this.origins.size > 0;
  }

  /** No Origin (not a browser) or the page's own host pass; another origin must be listed. */
  allows(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    if (this.origins.has(origin)) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  /**
   * Sets the CORS headers of a /graphql answer; answers a preflight (OPTIONS) itself and then returns true.
   * A refused origin gets no CORS header, so the browser keeps the answer from the page.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return false;
    if (this.enabled) res.setHeader('Vary', 'Origin');
    const listed = this.origins.has(origin);
    if (listed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id');
    }
    if (req.method !== 'OPTIONS') return false;
    if (!listed) {
      res.statusCode = 403;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(
        JSON.stringify({
          errors: [{ message: `Origin ${origin} may not call this API from a browser (CORS_ORIGINS)`, extensions: { code: 'FORBIDDEN' } }],
        }),
      );
      return true;
    }
    res.statusCode = 204;
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE);
    res.end();
    return true;
  }
}
