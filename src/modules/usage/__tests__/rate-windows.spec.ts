import { rateAllowance, rateHourOf, rateWindowOf } from '../ingest/rate-windows';

const NOW = new Date('2026-03-10T12:34:56Z');

describe('rate windows', () => {
  it('count in minute rows whenever the plan limits a rate, and sum an hour only for an hourly limit', () => {
    expect(rateWindowOf({ requestsPerMinute: null, requestsPerHour: null }, NOW)).toBeNull();
    expect(rateWindowOf({ requestsPerMinute: null, requestsPerHour: 5 }, NOW)?.toISOString()).toBe('2026-03-10T12:34:00.000Z');
    expect(rateHourOf({ requestsPerMinute: 5, requestsPerHour: null }, NOW)).toBeNull();
    expect(rateHourOf({ requestsPerMinute: null, requestsPerHour: 5 }, NOW)?.toISOString()).toBe('2026-03-10T12:00:00.000Z');
  });

  it('allow what the tighter window leaves, retried when that window ends', () => {
    expect(rateAllowance(undefined, 0, 0, NOW)).toEqual({ allowance: null, resetsAt: null });
    expect(rateAllowance({ requestsPerMinute: 10, requestsPerHour: 100 }, 4, 50, NOW)).toEqual({
      allowance: 6,
      resetsAt: new Date('2026-03-10T12:35:00Z'),
    });
    expect(rateAllowance({ requestsPerMinute: 10, requestsPerHour: 100 }, 4, 97, NOW)).toEqual({
      allowance: 3,
      resetsAt: new Date('2026-03-10T13:00:00Z'),
    });
    expect(rateAllowance({ requestsPerMinute: null, requestsPerHour: 3 }, 0, 3, NOW)).toEqual({
      allowance: 0,
      resetsAt: new Date('2026-03-10T13:00:00Z'),
    });
  });
});
