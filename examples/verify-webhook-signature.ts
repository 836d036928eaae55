import { createHmac, timingSafeEqual } from 'node:crypto';

/** True when `header` (Meterly-Signature) signs `rawBody` with the endpoint's secret, within `toleranceSeconds` of now. */
export function verifyMeterlySignature(rawBody: string, header: string, secret: string, toleranceSeconds = 300): boolean {
  const parts = new Map(header.split(',').map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]));
  const t = parts.get('t') ?? '';
  const v1 = Buffer.from(parts.get('v1') ?? '', 'hex');
  if (!/^\d+$/.test(t) || Math.abs(Date.now() / 1000 - Number(t)) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return v1.length === expected.length && timingSafeEqual(v1, expected);
}
