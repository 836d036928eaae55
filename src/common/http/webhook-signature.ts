import { createHmac } from 'node:crypto';

/**
 * Signs a webhook body: `Meterly-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * Receivers recompute it and reject old timestamps (README: Alerts, Webhooks). Alert webhooks and
 * platform events share the scheme, so one verifier serves both.
 */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${signature}`;
}
