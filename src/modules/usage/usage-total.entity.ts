import { Check, Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { boundsCheck, TOTAL_BOUNDS } from '../../common/money/decimal-bounds';

/**
 * One row per organisation, metric and period: the period's aggregate and its
 * cost. Reading current usage touches these rows only, however many events.
 */
@Entity({ name: 'usage_totals' })
@Check('CHK_usage_totals_bounded', boundsCheck({ quantity: TOTAL_BOUNDS, cost: TOTAL_BOUNDS, latest_quantity: TOTAL_BOUNDS }))
export class UsageTotal {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @PrimaryColumn({ name: 'metric_id', type: 'uuid' })
  metricId!: string;

  @PrimaryColumn({ name: 'period_start', type: 'timestamptz' })
  periodStart!: Date;

  @Column({ type: 'numeric', default: 0 })
  quantity!: string;

  /** Unrounded; rounded once on the invoice line. */
  @Column({ type: 'numeric', default: 0 })
  cost!: string;

  @Column({ name: 'event_count', type: 'bigint', default: 0 })
  eventCount!: string;

  @Column({ name: 'latest_at', type: 'timestamptz', nullable: true })
  latestAt!: Date | null;

  @Column({ name: 'latest_quantity', type: 'numeric', nullable: true })
  latestQuantity!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
