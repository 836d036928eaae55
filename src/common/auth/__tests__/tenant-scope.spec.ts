import { CommonErrorReason } from '../../errors/common-error';
import { Permission } from '../permission';
import type { Principal } from '../principal';
import { Role } from '../role';
import { authorizeTenant } from '../tenant-scope';

const OWN = 'aaaaaaaa-0000-4000-8000-000000000001';
const OTHER = 'bbbbbbbb-0000-4000-8000-000000000002';
const member: Principal = { apiKeyId: 'k1', role: Role.MEMBER, organizationId: OWN };
const tenantAdmin: Principal = { apiKeyId: 'k2', role: Role.TENANT_ADMIN, organizationId: OWN };
const platformAdmin: Principal = { apiKeyId: 'k3', role: Role.PLATFORM_ADMIN, organizationId: null };

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    return err as { code: string; reason: string };
  }
  throw new Error('expected a refusal');
};

describe('authorizeTenant', () => {
  it('returns the canonical id of an organisation the caller may act on', () => {
    expect(authorizeTenant(member, Permission.VIEW_USAGE, OWN.toUpperCase())).toBe(OWN);
    expect(authorizeTenant(platformAdmin, Permission.RECORD_USAGE, OTHER)).toBe(OTHER);
  });

  it('refuses a malformed id as bad input, before any permission check', () => {
    expect(refusal(() => authorizeTenant(member, Permission.RECORD_USAGE, 'not-an-id'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: CommonErrorReason.INVALID_ID,
    });
  });

  it("refuses a permission the caller's role lacks, even on its own organisation", () => {
    expect(refusal(() => authorizeTenant(member, Permission.VIEW_INVOICES, OWN))).toMatchObject({
      code: 'FORBIDDEN',
      reason: CommonErrorReason.FORBIDDEN,
    });
  });

  it("refuses another organisation's id to a tenant key", () => {
    const refused = refusal(() => authorizeTenant(tenantAdmin, Permission.VIEW_USAGE, OTHER));
    expect(refused).toMatchObject({ code: 'FORBIDDEN', reason: CommonErrorReason.FORBIDDEN });
  });
});
