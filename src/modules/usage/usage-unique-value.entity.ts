import { Entity, PrimaryColumn } from 'typeorm';

/** The distinct values a UNIQUE_COUNT metric has seen in a period, so counts stay exact. */
@Entity({ name: 'usage_unique_values' })
export class UsageUniqueValue {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @PrimaryColumn({ name: 'metric_id', type: 'uuid' })
  metricId!: string;

  @PrimaryColumn({ name: 'period_start', type: 'timestamptz' })
  periodStart!: Date;

  @PrimaryColumn({ type: 'text', collation: 'C' })
  value!: string;
}
