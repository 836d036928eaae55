import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Every accepted event id, once per organisation: the idempotency record, across retries and crashes. */
@Entity({ name: 'usage_event_keys' })
export class UsageEventKey {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @PrimaryColumn({ name: 'event_id', type: 'text', collation: 'C' })
  eventId!: string;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
