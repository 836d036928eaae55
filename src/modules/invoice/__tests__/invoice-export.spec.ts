import { exportPeriod } from '../invoice-export';

const utc = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe('exportPeriod', () => {
  it('reads a month as its days, December into the next year', () => {
    expect(exportPeriod({ month: '2026-03' })).toEqual({ from: utc('2026-03-01'), to: utc('2026-04-01') });
    expect(exportPeriod({ month: '2026-12' })).toEqual({ from: utc('2026-12-01'), to: utc('2027-01-01') });
  });

  it('reads from and to as days, both included', () => {
    expect(exportPeriod({ from: '2026-02-15', to: '2026-02-28' })).toEqual({ from: utc('2026-02-15'), to: utc('2026-03-01') });
    expect(exportPeriod({ from: '2028-02-29', to: '2028-02-29' })).toEqual({ from: utc('2028-02-29'), to: utc('2028-03-01') });
  });

  it.each([
    [{}],
    [{ month: '2026-00' }],
    [{ month: '26-03' }],
    [{ month: '0099-03' }],
    [{ month: '2026-03', to: '2026-03-31' }],
    [{ from: '2026-03-01' }],
    [{ from: '2026-02-29', to: '2026-03-31' }],
    [{ from: '2026-3-1', to: '2026-03-31' }],
    [{ from: '2026-03-02', to: '2026-03-01' }],
  ])('refuses %j with INVALID_PERIOD', (query) => {
    expect(() => exportPeriod(query)).toThrow(expect.objectContaining({ reason: 'INVALID_PERIOD' }));
  });
});
