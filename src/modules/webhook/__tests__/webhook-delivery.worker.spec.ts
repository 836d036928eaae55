import { verifyMeterlySignature } from '../../../../examples/verify-webhook-signature';
import { signWebhook } from '../../../common/http/webhook-signature';
import { eventBody, retryDelay } from '../webhook-delivery.worker';

describe('webhook delivery', () => {
  it('doubles the wait from the base up to the cap, less up to half of it at random', () => {
    const waits = (random: number) => [1, 2, 3, 4, 13].map((attempt) => retryDelay(attempt, 1000, 3600_000, () => random));
    expect(waits(1)).toEqual([1000, 2000, 4000, 8000, 3600_000]);
    expect(waits(0)).toEqual([500, 1000, 2000, 4000, 1800_000]);
    expect(retryDelay(30, 1000, 3600_000, () => 0.5)).toBe(2700_000);
  });

  it('writes the documented body, in that order, the same for the same event', () => {
    const event = {
      data: { invoice: { id: 'i', total: '10.00' } },
      organizationId: 'o',
      createdAt: new Date('2026-04-01T00:00:00Z'),
      type: 'invoice.paid',
      id: 'e',
    };
    const body = eventBody(event);
    expect(body).toBe(
      '{"id":"e","type":"invoice.paid","createdAt":"2026-04-01T00:00:00.000Z","organizationId":"o","data":{"invoice":{"id":"i","total":"10.00"}}}',
    );
    expect(eventBody({ ...event })).toBe(body);
  });

  it('signs so that the README verifier accepts the body and rejects any change, another secret or an old timestamp', () => {
    const body = '{"id":"e"}';
    const now = Math.floor(Date.now() / 1000);
    expect(verifyMeterlySignature(body, signWebhook('whsec_a', body, now), 'whsec_a')).toBe(true);
    expect(verifyMeterlySignature('{"id":"f"}', signWebhook('whsec_a', body, now), 'whsec_a')).toBe(false);
    expect(verifyMeterlySignature(body, signWebhook('whsec_a', body, now), 'whsec_b')).toBe(false);
    expect(verifyMeterlySignature(body, signWebhook('whsec_a', body, now - 301), 'whsec_a')).toBe(false);
    expect(verifyMeterlySignature(body, 'garbage', 'whsec_a')).toBe(false);
  });
});
