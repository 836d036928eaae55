import type { EntityManager } from 'typeorm';
import { Permission } from '../../../common/auth/permission';
import type { Principal } from '../../../common/auth/principal';
import { Role } from '../../../common/auth/role';
import { CommonErrorReason } from '../../../common/errors/common-error';
import type { Organization } from '../organization.entity';
import { loadTenantScope, tenantScope } from '../tenant-scope';

const OWN = 'aaaaaaaa-0000-4000-8000-000000000001';
const OTHER = 'bbbbbbbb-0000-4000-8000-000000000002';
const MISSING = 'cccccccc-0000-4000-8000-000000000003';
const CLOCK = new Date('2031-06-03T04:05:06Z');

const organization = (id: string, testClockAt: Date | null) => ({ id, name: id, currency: 'USD', testClockAt }) as Organization;

/** A manager over a fixed set of organisations, recording each lookup. */
function managerOf(...organizations: Organization[]) {
  const lookups: Array<{ where: { id: string }; lock?: { mode: string } }> = [];
  const manager = {
    getRepository: () => ({
      findOne: async (options: { where: { id: string }; lock?: { mode: string } }) => {
        lookups.push(options);
        return organizations.find((o) => o.id === options.where.id) ?? null;
      },
    }),
  } as unknown as EntityManager;
  return { manager, lookups };
}

const tenantAdmin: Principal = { apiKeyId: 'k1', role: Role.TENANT_ADMIN, organizationId: OWN };
const member: Principal = { apiKeyId: 'k2', role: Role.MEMBER, organizationId: OWN };
const platformAdmin: Principal = { apiKeyId: 'k3', role: Role.PLATFORM_ADMIN, organizationId: null };

describe('tenantScope', () => {
  it('gives the organisation, its id and its clock', async () => {
    const own = organization(OWN, CLOCK);
    const { manager } = managerOf(own);
    await expect(tenantScope(manager, tenantAdmin, Permission.VIEW_USAGE, OWN)).resolves.toEqual({
      organizationId: OWN,
      organization: own,
      now: CLOCK,
    });
  });

  it('refuses a permission the role lacks without reading anything', async () => {
    const { manager, lookups } = managerOf(organization(OWN, null));
    await expect(tenantScope(manager, member, Permission.GRANT_CREDITS, OWN)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      reason: CommonErrorReason.FORBIDDEN,
    });
    expect(lookups).toEqual([]);
  });

  it("answers FORBIDDEN for another organisation's id whether it exists or not, without reading it", async () => {
    const { manager, lookups } = managerOf(organization(OWN, null), organization(OTHER, null));
    const existing = await tenantScope(manager, tenantAdmin, Permission.VIEW_USAGE, OTHER).catch((err: unknown) => err);
    const missing = await tenantScope(manager, tenantAdmin, Permission.VIEW_USAGE, MISSING).catch((err: unknown) => err);
    expect(existing).toMatchObject({ code: 'FORBIDDEN', reason: CommonErrorReason.FORBIDDEN });
    expect(missing).toEqual(existing);
    expect(lookups).toEqual([]);
  });

  it('answers ORGANIZATION_NOT_FOUND (code NOT_FOUND) to a caller who may see a missing organisation', async () => {
    const { manager } = managerOf(organization(OWN, null));
    await expect(tenantScope(manager, platformAdmin, Permission.VIEW_USAGE, MISSING)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      reason: CommonErrorReason.ORGANIZATION_NOT_FOUND,
      message: `Organization ${MISSING} does not exist`,
    });
  });
});

describe('loadTenantScope', () => {
  it("is a simulated organisation's test clock", async () => {
    const { manager } = managerOf(organization(OWN, CLOCK));
    expect((await loadTenantScope(manager, OWN)).now).toEqual(CLOCK);
  });

  it('is real time for an organisation without a test clock', async () => {
    const { manager } = managerOf(organization(OWN, null));
    const before = Date.now();
    const { now } = await loadTenantScope(manager, OWN);
    expect(now.getTime()).toBeGreaterThanOrEqual(before);
    expect(now.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("row-locks the organisation for the caller's transaction when asked", async () => {
    const { manager, lookups } = managerOf(organization(OWN, null));
    await loadTenantScope(manager, OWN);
    await loadTenantScope(manager, OWN, { lock: true });
    expect(lookups).toEqual([{ where: { id: OWN } }, { where: { id: OWN }, lock: { mode: 'pessimistic_write' } }]);
  });
});
