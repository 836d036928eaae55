import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, isPlatformAdmin, type Principal } from '../../common/auth/principal';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { assertId, CommonError, CommonErrorReason } from '../../common/errors/common-error';
import { CursorKey, decodeCursor, keysetPage, pageRequest } from '../../common/graphql/pagination';
import { loadTenantScope } from '../organization/tenant-scope';
import type { AlertSeverity } from './alert-severity';
import { Alert } from './alert.entity';
import { AlertError, AlertErrorReason } from './alert.error';
import { ALERT_PAGE, AlertConnection } from './dto/alert.types';

/** The change-bus channel on which fired alerts are announced (NOTIFY), one message `org/alert` each. */
export const ALERT_CHANNEL = 'meterly_alerts';

/** An organisation's fired alerts: listing them, newest first, and acknowledging them. */
export class AlertService {
  constructor(private readonly db: DataSource) {}

  async list(
    principal: Principal,
    organizationIdInput: string,
    first?: number | null,
    after?: string | null,
    severity?: AlertSeverity | null,
    acknowledged?: boolean | null,
  ): Promise<AlertConnection> {
    const organizationId = authorizeTenant(principal, Permission.VIEW_USAGE, organizationIdInput);
    const page = pageRequest(first ?? ALERT_PAGE.default, after, ALERT_PAGE.max, CursorKey.timeAndId);
    const qb = this.db.getRepository(Alert).createQueryBuilder('a').where('a.organizationId = :organizationId', { organizationId });
    if (severity) qb.andWhere('a.severity = :severity', { severity });
    if (acknowledged != null) qb.andWhere(acknowledged ? 'a.acknowledgedAt IS NOT NULL' : 'a.acknowledgedAt IS NULL');
    const found = await keysetPage(qb, page, ['a.triggeredAt', 'a.seq'], (node) => [node.triggeredAt.toISOString(), node.seq]);
    return Object.assign(new AlertConnection(), found);
  }

  /**
   * Where `alertTriggered(after)` resumes: the `seq` of the alert a cursor names, which is an AlertEdge.cursor
   * ([triggeredAt, seq]) or an alert's id. An id must be of this organisation's alerts; a cursor of another
   * organisation's list only sets the point, and what follows it is read from this organisation's alerts.
   */
  async resumePoint(organizationId: string, after: string): Promise<string> {
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(after)) {
      const alert = await this.db
        .getRepository(Alert)
        .findOne({ select: { seq: true }, where: { id: after.toLowerCase(), organizationId } });
      if (alert) return alert.seq;
    } else {
      const key = decodeCursor(after);
      if (key && CursorKey.timeAndId(key) && /^\d{1,18}$/.test(key[1])) return key[1];
    }
    throw new CommonError(
      CommonErrorReason.INVALID_CURSOR,
      "after is neither an AlertEdge.cursor nor the id of one of this organization's alerts",
    );
  }

  /** Another organisation's alert answers NOT_FOUND, as if it did not exist. */
  async acknowledge(principal: Principal, idInput: string): Promise<Alert> {
    const id = assertId(idInput, 'alert id');
    assertCan(principal, Permission.MANAGE_ALERTS);
    const alert = await this.db.getRepository(Alert).findOneBy({ id });
    if (!alert || (!isPlatformAdmin(principal) && alert.organizationId !== principal.organizationId))
      throw new AlertError(AlertErrorReason.NOT_FOUND, `Alert ${id} does not exist`);
    if (!alert.acknowledgedAt) {
      alert.acknowledgedAt = (await loadTenantScope(this.db.manager, alert.organizationId)).now;
      await this.db.getRepository(Alert).update({ id }, { acknowledgedAt: alert.acknowledgedAt });
    }
    return alert;
  }
}
