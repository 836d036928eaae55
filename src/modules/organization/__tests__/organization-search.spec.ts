import { CommonError } from '../../../common/errors/common-error';
import { organizationSearch } from '../organization-search';

describe('organizationSearch', () => {
  it('filters nothing for no term or blanks', () => {
    expect(organizationSearch(null)).toBeNull();
    expect(organizationSearch('   ')).toBeNull();
  });

  it('matches the name anywhere, with LIKE wildcards taken literally', () => {
    expect(organizationSearch(' 100%_off\\ ')?.namePattern).toBe('%100\\%\\_off\\\\%');
  });

  it('turns the beginning of an id, in any case, into a range of ids', () => {
    expect(organizationSearch('3F2A')?.idRange).toEqual({
      low: '3f2a0000-0000-0000-0000-000000000000',
      high: '3f2affff-ffff-ffff-ffff-ffffffffffff',
    });
    expect(organizationSearch('3f2a1b2c-')?.idRange?.low).toBe('3f2a1b2c-0000-0000-0000-000000000000');
    const id = '3f2a1b2c-1234-4abc-8def-0123456789ab';
    expect(organizationSearch(id)?.idRange).toEqual({ low: id, high: id });
  });

  it('searches names only for a term that cannot begin an id', () => {
    expect(organizationSearch('acme')?.idRange).toBeNull();
    expect(organizationSearch('3f2a1b2c1')?.idRange).toBeNull();
    expect(organizationSearch('3f2a1b2c-1234-4abc-8def-0123456789abc')?.idRange).toBeNull();
  });

  it('refuses a term longer than any name', () => {
    expect(() => organizationSearch('x'.repeat(201))).toThrow(CommonError);
  });
});
