import { Field, ID, ObjectType } from 'type-graphql';
import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { boundsCheck, TOTAL_BOUNDS } from '../../common/money/decimal-bounds';
import { DecimalScalar } from '../../common/graphql/scalars';
import { AlertKind, AlertKindType, AlertSeverity } from './alert-severity';

/** A fired alert. `dedupKey` is unique in its organisation: a rule fires once per window, whoever sees the crossing first. */
@ObjectType({
  description:
    'An alert fired for an organisation: by one of its rules, or by billing (a failed payment, an overdue invoice). Listed by alerts, pushed by alertTriggered.',
})
@Entity({ name: 'alerts' })
@Check('CHK_alerts_bounded', boundsCheck({ threshold: TOTAL_BOUNDS, value: TOTAL_BOUNDS }))
@Index('ix_alerts_org_triggered', ['organizationId', 'triggeredAt'])
@Index('ix_alerts_org_seq', ['organizationId', 'seq'])
@Index('uq_alerts_dedup', ['organizationId', 'dedupKey'], { unique: true })
export class Alert {
  @Field(() => ID, { description: 'The alert; acknowledgeAlert takes it.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => ID, { description: 'The organisation it concerns.' })
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  /** Insertion order: alerts fired by one batch share their time. */
  @Column({ type: 'bigint', generated: 'increment' })
  seq!: string;

  @Column({ name: 'rule_id', type: 'uuid', nullable: true })
  ruleId!: string | null;

  @Column({ name: 'dedup_key', type: 'text' })
  dedupKey!: string;

  @Field(() => AlertKindType, {
    description:
      'What the alert is about: usage, cost, spend, forecast, payment_failed, invoice_overdue or plan_change (a plan-change request and its decision).',
  })
  @Column({ type: 'text' })
  kind!: AlertKind;

  @Field(() => AlertSeverity, { description: "The firing rule's severity; CRITICAL for a failed payment, WARNING for an overdue invoice." })
  @Column({ type: 'enum', enum: AlertSeverity, enumName: 'alert_severity' })
  severity!: AlertSeverity;

  @Field(() => String, { nullable: true, description: 'The metric code of a usage alert; null for the other kinds.' })
  @Column({ name: 'metric_code', type: 'text', nullable: true })
  metric!: string | null;

  @Field(() => DecimalScalar, { description: 'The threshold crossed, as a quantity or an amount.' })
  @Column({ type: 'numeric' })
  threshold!: string;

  @Field(() => DecimalScalar, { description: 'The value that crossed it.' })
  @Column({ type: 'numeric' })
  value!: string;

  @Field({
    description: 'A sentence for people, e.g. "calls reached 80% of its limit (80 of 100 call)"; branch on kind, not on its wording.',
  })
  @Column({ type: 'text' })
  message!: string;

  @Column({ type: 'text', array: true })
  channels!: string[];

  @Field(() => Date, { description: "When it fired, on the organisation's clock (its test clock, if it has one)." })
  @Column({ name: 'triggered_at', type: 'timestamptz' })
  triggeredAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When acknowledgeAlert was first called on it; null until then.' })
  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;
}
