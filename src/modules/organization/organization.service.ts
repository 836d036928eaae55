import type { DataSource, EntityManager } from 'typeorm';
import { IsNull } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, type Principal } from '../../common/auth/principal';
import { namedParameters } from '../../common/database/pg-array';
import { CursorKey, keysetPage, pageRequest } from '../../common/graphql/pagination';
import { isCurrency } from '../../common/money/currency';
import { monthPeriod } from '../../common/time/billing-period';
import { organizationNow } from '../../common/time/organization-clock';
import { Plan } from '../plan/plan.entity';
import { PlanSubscription, SubscriptionStatus } from '../subscription/plan-subscription.entity';
import { ORGANIZATION_PAGE, OrganizationConnection } from './dto/organization-connection.types';
import { Organization } from './organization.entity';
import { organizationSearch } from './organization-search';
import { OrganizationError, OrganizationErrorReason } from './organization.error';
import { tenantScope } from './tenant-scope';

export interface CreateOrganizationCommand {
  name: string;
  planCode: string;
  currency?: string | null;
  testClock?: Date | null;
}

/** Keys the platform uses for teams, projects and users: short, printable, no control characters. */
const KEY = /^[\p{L}\p{N}_.:@/-][\p{L}\p{N}_.:@/ -]{0,127}$/u;

/** A cursor of `organizations`: [creation time to the millisecond, id]. */
const isOrganizationKey = (key: unknown[]): key is [string, string] =>
  CursorKey.timeAndId(key) && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(key[1]);

const KEYS = namedParameters(['org', 'keys'] as const);
/** The insert of one kind's keys, into `table` (teams, projects or users). */
const insertKeys = (table: string) =>
  `INSERT INTO "${table}" (organization_id, key) SELECT ${KEYS.sql.org}, k FROM unnest(${KEYS.sql.keys}::text[]) AS k ON CONFLICT (organization_id, key) DO NOTHING`;

export class OrganizationService {
  private readonly createdListeners: Array<(organization: Organization) => Promise<void>> = [];
  private readonly creatingHooks: Array<(tx: EntityManager, organization: Organization) => Promise<void>> = [];

  constructor(private readonly db: DataSource) {}

  /** Runs inside the transaction that creates an organisation (e.g. its default alert rules). */
  onCreating(hook: (tx: EntityManager, organization: Organization) => Promise<void>): void {
    this.creatingHooks.push(hook);
  }

  /** Called after an organisation is committed (e.g. to open its Stripe customer); failures are the listener's to handle. */
  onCreated(listener: (organization: Organization) => Promise<void>): void {
    this.createdListeners.push(listener);
  }

  async get(principal: Principal, id: string): Promise<Organization> {
    return (await tenantScope(this.db.manager, principal, Permission.VIEW_ORGANIZATION, id)).organization;
  }

  /**
   * Every organisation, newest first, for the platform's operators: keyset pages of `first` (1 to 100) after a
   * cursor, optionally only those whose name contains `search` or whose id starts with it (see organizationSearch).
   */
  async list(principal: Principal, first: number | null, after: string | null, search: string | null): Promise<OrganizationConnection> {
    assertCan(principal, Permission.MANAGE_ORGANIZATIONS);
    const page = pageRequest(first ?? ORGANIZATION_PAGE.default, after, ORGANIZATION_PAGE.max, isOrganizationKey);
    const filter = organizationSearch(search);
    const qb = this.db.getRepository(Organization).createQueryBuilder('o');
    if (filter) {
      const byId = filter.idRange ? ' OR o.id BETWEEN :low AND :high' : '';
      qb.where(`(o.name ILIKE :pattern${byId})`, { pattern: filter.namePattern, ...filter.idRange });
    }
    // Cursors carry JavaScript's milliseconds, so the order is by the creation time cut to them, then the id.
    const found = await keysetPage(qb, page, ["date_trunc('milliseconds', o.created_at)", 'o.id'], (o) => [
      o.createdAt.toISOString(),
      o.id,
    ]);
    return Object.assign(new OrganizationConnection(), found);
  }

  async create(principal: Principal, command: CreateOrganizationCommand): Promise<Organization> {
    assertCan(principal, Permission.MANAGE_ORGANIZATIONS);
    const name = command.name.trim();
    if (!name || name.length > 200) throw new OrganizationError(OrganizationErrorReason.INVALID_NAME, 'name must be 1 to 200 characters');
    // A new organisation starts on a catalog plan: a custom plan belongs to an organisation that exists already.
    const plan = await this.db.getRepository(Plan).findOneBy({ code: command.planCode, organizationId: IsNull() });
    if (!plan) throw new OrganizationError(OrganizationErrorReason.UNKNOWN_PLAN, `No plan has the code "${command.planCode}"`);
    const currency = command.currency ?? plan.currency;
    if (!isCurrency(currency))
      throw new OrganizationError(OrganizationErrorReason.INVALID_CURRENCY, `"${currency}" is not an ISO 4217 currency code`);
    if (currency !== plan.currency) {
      throw new OrganizationError(
        OrganizationErrorReason.CURRENCY_MISMATCH,
        `Plan "${plan.code}" is priced in ${plan.currency}, not ${currency}`,
      );
    }
    if (command.testClock && Number.isNaN(command.testClock.getTime())) {
      throw new OrganizationError(OrganizationErrorReason.INVALID_TEST_CLOCK, 'testClock is not a valid time');
    }
    const created = await this.db.transaction(async (tx) => {
      const organization = await tx.getRepository(Organization).save({ name, currency, testClockAt: command.testClock ?? null });
      const period = monthPeriod(organizationNow(organization));
      await tx.getRepository(PlanSubscription).insert({
        organizationId: organization.id,
        planId: plan.id,
        periodPlanId: plan.id,
        status: SubscriptionStatus.ACTIVE,
        currentPeriodStart: period.start,
        currentPeriodEnd: period.end,
        cancelAtPeriodEnd: false,
      });
      for (const hook of this.creatingHooks) await hook(tx, organization);
      return organization;
    });
    for (const listener of this.createdListeners) await listener(created);
    return created;
  }

  /**
   * Teams, projects and users are named by the platform's own keys and exist
   * from first use, so no cost is dropped from allocation. Set-based: one
   * statement per kind, whatever the number of keys.
   */
  async ensureKeys(
    organizationId: string,
    keys: { teams?: readonly string[]; projects?: readonly string[]; users?: readonly string[] },
    manager: EntityManager = this.db.manager,
  ): Promise<void> {
    const kinds: Array<[string, readonly string[] | undefined]> = [
      ['teams', keys.teams],
      ['projects', keys.projects],
      ['users', keys.users],
    ];
    for (const [table, values] of kinds) {
      const unique = [...new Set(values ?? [])];
      if (unique.length === 0) continue;
      const bad = unique.find((key) => !KEY.test(key));
      if (bad !== undefined)
        throw new OrganizationError(OrganizationErrorReason.INVALID_KEY, `"${bad}" is not a valid ${table.slice(0, -1)} key`);
      await manager.query(insertKeys(table), KEYS.values({ org: organizationId, keys: unique }));
    }
  }

  static isValidKey(key: string): boolean {
    return KEY.test(key);
  }
}
