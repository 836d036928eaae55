import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, type Principal } from '../../common/auth/principal';
import { namedStatement } from '../../common/database/pg-array';
import { assertId, CommonError, CommonErrorReason } from '../../common/errors/common-error';
import { minorUnits } from '../../common/money/currency';
import { parseDecimalInput } from '../../common/money/decimal';
import { Money } from '../../common/money/money.type';
import { Organization } from '../organization/organization.entity';
import { CreditGrant } from './credit-grant.entity';

export interface GrantCreditsCommand {
  organizationId: string;
  amount: string;
  reason?: string | null;
  expiresAt?: Date | null;
}

interface BalanceRow {
  balance: string | null;
}

const BALANCE = namedStatement(
  ['organizationId', 'at'],
  (p) => `SELECT sum(remaining) AS balance FROM credit_grants
           WHERE organization_id = ${p.organizationId} AND remaining > 0 AND (expires_at IS NULL OR expires_at > ${p.at})`,
);

/** Prepaid balances (seed 002: "available credits are first applied"). */
export class CreditService {
  constructor(private readonly db: DataSource) {}

  async grant(principal: Principal, command: GrantCreditsCommand): Promise<Money> {
    const organizationId = assertId(command.organizationId, 'organizationId');
    assertCan(principal, Permission.GRANT_CREDITS, organizationId);
    const organization = await this.db.getRepository(Organization).findOneBy({ id: organizationId });
    if (!organization) throw new CommonError(CommonErrorReason.NOT_FOUND, `Organization ${organizationId} does not exist`);
    const amount = parseDecimalInput(command.amount, 'amount');
    const decimals = minorUnits(organization.currency);
    if (!amount.greaterThan(0)) throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, 'amount must be greater than 0');
    if (amount.decimalPlaces() > decimals) {
      throw new CommonError(
        CommonErrorReason.INVALID_ARGUMENT,
        `amount has more decimals than ${organization.currency} allows (${decimals})`,
      );
    }
    const now = organization.testClockAt ?? new Date();
    if (command.expiresAt && command.expiresAt <= now)
      throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, 'expiresAt must be in the future');
    if (command.reason && command.reason.length > 500)
      throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, 'reason is at most 500 characters');
    await this.db.getRepository(CreditGrant).insert({
      organizationId,
      amount: amount.toFixed(),
      remaining: amount.toFixed(),
      reason: command.reason ?? null,
      expiresAt: command.expiresAt ?? null,
      grantedByKeyId: principal.apiKeyId,
      grantedAt: now,
    });
    return this.balanceOf(organization);
  }

  /** What is left of the grants that have not expired on the organisation's clock. */
  async balanceOf(organization: Organization): Promise<Money> {
    const rows = await this.db.query<BalanceRow[]>(
      BALANCE.text,
      BALANCE.values({ organizationId: organization.id, at: (organization.testClockAt ?? new Date()).toISOString() }),
    );
    return Money.rounded(rows[0]?.balance ?? 0, organization.currency);
  }
}
