import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An open or closed session of a sessionised COUNT metric: one per session
 * key, until it has been idle for the metric's idle minutes.
 */
@Entity({ name: 'usage_sessions' })
@Index('ix_usage_sessions_lookup', ['organizationId', 'metricId', 'periodStart', 'sessionKey'])
export class UsageSession {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'metric_id', type: 'uuid' })
  metricId!: string;

  @Column({ name: 'period_start', type: 'timestamptz' })
  periodStart!: Date;

  @Column({ name: 'session_key', type: 'text', collation: 'C' })
  sessionKey!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'last_at', type: 'timestamptz' })
  lastAt!: Date;
}
