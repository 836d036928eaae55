import { Field, ID, ObjectType } from 'type-graphql';
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { boundsCheck, PERCENT_BOUNDS, QUANTITY_BOUNDS } from '../../common/money/decimal-bounds';
import { DecimalScalar } from '../../common/graphql/scalars';
import { AlertChannel, AlertChannelType, AlertRuleKind, AlertSeverity, AlertWindow } from './alert-severity';

@ObjectType({
  description:
    'When to alert an organisation: a threshold on usage (a rule with a metric) or on cost (without one), over a window, with a severity and delivery channels. Every organisation starts with six default rules.',
})
@Entity({ name: 'alert_rules' })
@Check('CHK_alert_rules_bounded', boundsCheck({ threshold_percent: PERCENT_BOUNDS, threshold_amount: QUANTITY_BOUNDS }))
@Index('ix_alert_rules_org', ['organizationId'])
export class AlertRule {
  @Field(() => ID, { description: 'The rule; deleteAlertRule takes it.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'text' })
  kind!: AlertRuleKind;

  /** Null on a usage rule: every metric that has a limit (the default rules). */
  @Column({ name: 'metric_id', type: 'uuid', nullable: true })
  metricId!: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Of the plan limit (usage) or of the monthly budget (cost).' })
  @Column({ name: 'threshold_percent', type: 'numeric', nullable: true })
  thresholdPercent!: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'An absolute quantity (usage) or amount (cost).' })
  @Column({ name: 'threshold_amount', type: 'numeric', nullable: true })
  thresholdAmount!: string | null;

  @Field(() => AlertSeverity, { description: 'Given to the alerts the rule fires.' })
  @Column({ type: 'enum', enum: AlertSeverity, enumName: 'alert_severity' })
  severity!: AlertSeverity;

  @Field(() => [AlertChannelType], {
    description: "in_app always; email to billing contacts; webhook to the organisation's URL; sms to its SMS recipients.",
  })
  @Column({ type: 'text', array: true })
  channels!: AlertChannel[];

  @Field(() => AlertWindow, { description: 'The time the rule measures over; it fires at most once per window.' })
  @Column({ type: 'text', default: AlertWindow.PERIOD })
  window!: AlertWindow;

  @Field(() => String, { nullable: true, description: "Only this team's usage or spend; null: the whole organisation's." })
  @Column({ type: 'text', nullable: true })
  team!: string | null;

  @Field(() => String, { nullable: true, description: "Only this project's usage or spend; null: the whole organisation's." })
  @Column({ type: 'text', nullable: true })
  project!: string | null;

  @Field({
    description:
      'One of the rules every organisation starts with (usage at 80, 95 and 100 % of a limit, cost at 50, 80 and 95 % of the budget).',
  })
  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
