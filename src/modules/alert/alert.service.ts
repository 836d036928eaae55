import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { assertId } from '../../common/errors/common-error';
import { pageOf, timeCursor } from '../../common/graphql/cursor';
import { loadTenantScope } from '../organization/tenant-scope';
import type { AlertSeverity } from './alert-severity';
import { Alert } from './alert.entity';
import { AlertError, AlertErrorReason } from './alert.error';

/** The change-bus channel on which fired alerts are announced (NOTIFY), one message `org/alert` each. */
export const ALERT_CHANNEL = 'meterly_alerts';

/** An organisation's fired alerts: listing them, newest first, and acknowledging them. */
export class AlertService {
  constructor(private readonly db: DataSource) {}

  async list(
    principal: Principal,
    organizationIdInput: string,
    first = 20,
    after?: string | null,
    severity?: AlertSeverity | null,
    acknowledged?: boolean | null,
  ) {
    const organizationId = authorizeTenant(principal, Permission.VIEW_USAGE, organizationIdInput);
    if (!Number.isInteger(first) || first < 1 || first > 100)
      throw new AlertError(AlertErrorReason.INVALID_CURSOR, 'first must be 1 to 100');
    const qb = this.db.getRepository(Alert).createQueryBuilder('a').where('a.organizationId = :organizationId', { organizationId });
    if (severity) qb.andWhere('a.severity = :severity', { severity });
    if (acknowledged != null) qb.andWhere(acknowledged ? 'a.acknowledgedAt IS NOT NULL' : 'a.acknowledgedAt IS NULL');
    const totalCount = await qb.clone().getCount();
    if (after) {
      const key = timeCursor(after);
      if (!key) throw new AlertError(AlertErrorReason.INVALID_CURSOR, 'after is not a cursor of this list');
      qb.andWhere('(a.triggeredAt, a.seq) < (:at, :seq)', { at: key[0], seq: key[1] });
    }
    const rows = await qb
      .orderBy('a.triggeredAt', 'DESC')
      .addOrderBy('a.seq', 'DESC')
      .take(first + 1)
      .getMany();
    return { ...pageOf(rows, first, (node) => [node.triggeredAt.toISOString(), node.seq]), totalCount };
  }

  async acknowledge(principal: Principal, idInput: string): Promise<Alert> {
    const id = assertId(idInput, 'alert id');
    const alert = await this.db.getRepository(Alert).findOneBy({ id });
    if (!alert) throw new AlertError(AlertErrorReason.NOT_FOUND, `Alert ${id} does not exist`);
    authorizeTenant(principal, Permission.MANAGE_ALERTS, alert.organizationId);
    if (!alert.acknowledgedAt) {
      alert.acknowledgedAt = (await loadTenantScope(this.db.manager, alert.organizationId)).now;
      await this.db.getRepository(Alert).update({ id }, { acknowledgedAt: alert.acknowledgedAt });
    }
    return alert;
  }
}
