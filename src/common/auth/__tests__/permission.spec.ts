import { can, Permission } from '../permission';
import { assertCan, type Principal } from '../principal';
import { Role } from '../role';

describe('the role/permission matrix', () => {
  // Rows of the matrix (platform admin / tenant admin / billing contact):
  // "View usage: Yes / Own tenant / Own tenant", "View invoices: All / Own / Own",
  // "Update plan: Yes / Request / No", "Manage payment: Yes / Yes / Yes", "Set budget alerts: Yes / Yes / Yes".
  it.each([
    [Permission.VIEW_USAGE, [true, true, true, true]],
    [Permission.VIEW_INVOICES, [true, true, true, false]],
    [Permission.CHANGE_PLAN, [true, false, false, false]],
    [Permission.REQUEST_PLAN_CHANGE, [true, true, false, false]],
    [Permission.MANAGE_PAYMENT, [true, true, true, false]],
    [Permission.MANAGE_ALERTS, [true, true, true, false]],
    [Permission.MANAGE_CATALOG, [true, false, false, false]],
    [Permission.MANAGE_ORGANIZATIONS, [true, false, false, false]],
    [Permission.RECORD_USAGE, [true, false, false, false]],
    [Permission.MANAGE_WEBHOOKS, [true, false, false, false]],
  ])('%s for platform admin, tenant admin, billing contact, member', (permission, expected) => {
    expect([Role.PLATFORM_ADMIN, Role.TENANT_ADMIN, Role.BILLING_CONTACT, Role.MEMBER].map((role) => can(role, permission))).toEqual(
      expected,
    );
  });

  it('keeps tenant roles inside their own organisation', () => {
    const billing: Principal = { apiKeyId: 'k', role: Role.BILLING_CONTACT, organizationId: 'org-a' };
    expect(() => assertCan(billing, Permission.VIEW_INVOICES, 'org-a')).not.toThrow();
    expect(() => assertCan(billing, Permission.VIEW_INVOICES, 'org-b')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    const admin: Principal = { apiKeyId: 'k', role: Role.PLATFORM_ADMIN, organizationId: null };
    expect(() => assertCan(admin, Permission.VIEW_INVOICES, 'org-b')).not.toThrow();
  });
});
