import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { CommonError, CommonErrorReason } from '../../common/errors/common-error';
import { namedStatement } from '../../common/database/pg-array';
import { minorUnits } from '../../common/money/currency';
import { MONEY_BOUNDS, parseBoundedDecimal } from '../../common/money/decimal-bounds';
import { Money } from '../../common/money/money.type';
import { organizationNow } from '../../common/time/organization-clock';
import type { Organization } from '../organization/organization.entity';
import { tenantScope } from '../organization/tenant-scope';
import { PlatformEventType } from '../webhook/platform-event-type';
import { recordPlatformEvents } from '../webhook/platform-events';
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

/** Prepaid balances, applied to an invoice before anything is charged. */
export class CreditService {
  constructor(private readonly db: DataSource) {}

  async grant(principal: Principal, command: GrantCreditsCommand): Promise<Money> {
    const { organizationId, organization, now } = await tenantScope(
      this.db.manager,
      principal,
      Permission.GRANT_CREDITS,
      command.organizationId,
    );
    const amount = parseBoundedDecimal(command.amount, 'amount', MONEY_BOUNDS);
    const decimals = minorUnits(organization.currency);
    if (!amount.greaterThan(0)) throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, 'amount must be greater than 0');
    if (amount.decimalPlaces() > decimals) {
      throw new CommonError(
        CommonErrorReason.INVALID_ARGUMENT,
        `amount has more decimals than ${organization.currency} allows (${decimals})`,
      );
    }
    if (command.expiresAt && command.expiresAt <= now)
      throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, 'expiresAt must be in the future');
    if (command.reason && command.reason.length > 500)
      throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, 'reason is at most 500 characters');
    const grant = {
      organizationId,
      amount: amount.toFixed(),
      remaining: amount.toFixed(),
      reason: command.reason ?? null,
      expiresAt: command.expiresAt ?? null,
      grantedByKeyId: principal.apiKeyId,
      grantedAt: now,
    };
    await this.db.transaction(async (tx) => {
      const { identifiers } = await tx.getRepository(CreditGrant).insert(grant);
      const data = {
        grant: {
          id: identifiers[0]?.id as string,
          amount: grant.amount,
          currency: organization.currency,
          reason: grant.reason,
          expiresAt: grant.expiresAt?.toISOString() ?? null,
          grantedAt: now.toISOString(),
        },
      };
      await recordPlatformEvents(tx, [{ organizationId, type: PlatformEventType.CREDITS_GRANTED, data }]);
    });
    return this.balanceOf(organization);
  }

  /** What is left of the grants that have not expired on the organisation's clock. */
  async balanceOf(organization: Organization): Promise<Money> {
    const rows = await this.db.query<BalanceRow[]>(
      BALANCE.text,
      BALANCE.values({ organizationId: organization.id, at: organizationNow(organization).toISOString() }),
    );
    return Money.rounded(rows[0]?.balance ?? 0, organization.currency);
  }
}
