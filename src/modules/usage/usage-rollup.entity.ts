import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { boundsCheck, TOTAL_BOUNDS } from '../../common/money/decimal-bounds';

/**
 * Usage by hour and allocation cell (team, project, user, dimension set):
 * filtered reads, time series and cost breakdowns come from here. Empty
 * strings stand for "none", so the key has no NULLs.
 */
@Entity({ name: 'usage_rollups' })
@Check(
  'CHK_usage_rollups_bounded',
  boundsCheck({ quantity: TOTAL_BOUNDS, cost: TOTAL_BOUNDS, max_quantity: TOTAL_BOUNDS, latest_quantity: TOTAL_BOUNDS }),
)
@Index('ix_usage_rollups_org_bucket', ['organizationId', 'bucketStart'])
export class UsageRollup {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @PrimaryColumn({ name: 'metric_id', type: 'uuid' })
  metricId!: string;

  @PrimaryColumn({ name: 'bucket_start', type: 'timestamptz' })
  bucketStart!: Date;

  @PrimaryColumn({ type: 'text', collation: 'C' })
  team!: string;

  @PrimaryColumn({ type: 'text', collation: 'C' })
  project!: string;

  @PrimaryColumn({ name: 'user_key', type: 'text', collation: 'C' })
  userKey!: string;

  @PrimaryColumn({ type: 'jsonb' })
  dimensions!: Record<string, unknown>;

  /** What these events added to the metric's period quantity. */
  @Column({ type: 'numeric' })
  quantity!: string;

  @Column({ type: 'numeric' })
  cost!: string;

  @Column({ name: 'event_count', type: 'bigint' })
  eventCount!: string;

  @Column({ name: 'max_quantity', type: 'numeric' })
  maxQuantity!: string;

  @Column({ name: 'latest_at', type: 'timestamptz' })
  latestAt!: Date;

  @Column({ name: 'latest_quantity', type: 'numeric' })
  latestQuantity!: string;
}
