import { Field, ID, ObjectType } from 'type-graphql';
import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { boundsCheck, TOTAL_BOUNDS } from '../../common/money/decimal-bounds';
import { DecimalScalar } from '../../common/graphql/scalars';
import { AlertSeverity } from './alert-severity';

/** A fired alert. `dedupKey` is unique in its organisation: a rule fires once per window, whoever sees the crossing first. */
@ObjectType()
@Entity({ name: 'alerts' })
@Check('CHK_alerts_bounded', boundsCheck({ threshold: TOTAL_BOUNDS, value: TOTAL_BOUNDS }))
@Index('ix_alerts_org_triggered', ['organizationId', 'triggeredAt'])
@Index('uq_alerts_dedup', ['organizationId', 'dedupKey'], { unique: true })
export class Alert {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => ID)
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  /** Insertion order: alerts fired by one batch share their time. */
  @Column({ type: 'bigint', generated: 'increment' })
  seq!: string;

  @Column({ name: 'rule_id', type: 'uuid', nullable: true })
  ruleId!: string | null;

  @Column({ name: 'dedup_key', type: 'text' })
  dedupKey!: string;

  @Field({ description: 'usage, cost, spend, payment_failed, invoice_overdue or plan_change (a plan-change request and its decision).' })
  @Column({ type: 'text' })
  kind!: string;

  @Field(() => AlertSeverity)
  @Column({ type: 'enum', enum: AlertSeverity, enumName: 'alert_severity' })
  severity!: AlertSeverity;

  @Field(() => String, { nullable: true })
  @Column({ name: 'metric_code', type: 'text', nullable: true })
  metric!: string | null;

  @Field(() => DecimalScalar, { description: 'The threshold crossed, as a quantity or an amount.' })
  @Column({ type: 'numeric' })
  threshold!: string;

  @Field(() => DecimalScalar, { description: 'The value that crossed it.' })
  @Column({ type: 'numeric' })
  value!: string;

  @Field()
  @Column({ type: 'text' })
  message!: string;

  @Column({ type: 'text', array: true })
  channels!: string[];

  @Field(() => Date)
  @Column({ name: 'triggered_at', type: 'timestamptz' })
  triggeredAt!: Date;

  @Field(() => Date, { nullable: true })
  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;
}
