import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Events accepted per organisation and minute, for `requestsPerMinute`; shared by every node. */
@Entity({ name: 'usage_rate_windows' })
export class UsageRateWindow {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @PrimaryColumn({ name: 'window_start', type: 'timestamptz' })
  windowStart!: Date;

  @Column({ type: 'int' })
  count!: number;
}
