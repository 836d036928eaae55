import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Role } from '../../common/auth/role';
import { JSONScalar } from '../../common/graphql/scalars';

/** Who changed what, when. A trigger refuses UPDATE and DELETE: the log is append-only. */
@ObjectType({ description: 'One committed mutation: who made it, when, with what, and what it returned. The log is append-only.' })
@Entity({ name: 'audit_log' })
@Index('ix_audit_log_org', ['organizationId', 'id'])
export class AuditEntry {
  @Field(() => ID, { description: 'Increasing: later entries have larger ids.' })
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Field(() => Date, { description: 'When the change committed.' })
  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;

  @Field({ description: 'The API key that made the change, or "system".' })
  @Column({ name: 'api_key_id', type: 'text' })
  apiKeyId!: string;

  @Field(() => Role, { description: 'The role of that key.' })
  @Column({ type: 'text' })
  role!: Role;

  @Field(() => ID, {
    nullable: true,
    description: 'The organisation changed; null for platform-wide changes (catalog, closes of every organisation).',
  })
  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId!: string | null;

  @Field({ description: 'The mutation, e.g. "changePlan".' })
  @Column({ type: 'text' })
  operation!: string;

  @Field(() => JSONScalar, { description: 'Its arguments; secrets redacted, usage batches summarised.' })
  @Column({ type: 'jsonb' })
  arguments!: Record<string, unknown>;

  @Field(() => JSONScalar, { nullable: true, description: 'What it returned, in short (ids, counts).' })
  @Column({ type: 'jsonb', nullable: true })
  result!: Record<string, unknown> | null;
}
