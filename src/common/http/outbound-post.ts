import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { OutboundPolicy } from './outbound-target';

export interface OutboundPostOptions {
  headers: Record<string, string>;
  timeoutMs: number;
}

/**
 * POSTs `body` to a target the policy accepts and answers its HTTP status. The
 * connection goes to the address the policy's lookup checked; redirects are not
 * followed (a 3xx is the answer), and the response body is never read.
 */
export async function postToTarget(policy: OutboundPolicy, target: string, body: string, options: OutboundPostOptions): Promise<number> {
  const checked = policy.check(target, 'The target URL');
  if (!checked.ok) throw new Error(checked.message);
  const { url } = checked;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...options.headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: policy.lookupFor(url.hostname),
        // A connection of its own, so no pooled socket skips the checked lookup.
        agent: false,
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (res) => {
        resolve(res.statusCode ?? 0);
        res.destroy();
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
