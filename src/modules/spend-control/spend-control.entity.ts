import { Check, Column, Entity, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { boundsCheck, MONEY_BOUNDS } from '../../common/money/decimal-bounds';
import { Organization } from '../organization/organization.entity';

/**
 * An organisation's spend controls, once set (no row: the plan's budget and auto-pause, no limits). Each null
 * column falls back to its default. The alert thresholds are not kept here: they are the organisation's budget
 * alert rules (AlertRule, `isDefault` cost rules), which the alerts are raised from.
 */
@Entity({ name: 'spend_controls' })
@Check(
  'CHK_spend_controls_bounded',
  boundsCheck({ monthly_budget: MONEY_BOUNDS, per_event_limit: MONEY_BOUNDS, per_hour_limit: MONEY_BOUNDS, per_day_limit: MONEY_BOUNDS }),
)
export class SpendControl {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @OneToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  /** Null: the plan's. */
  @Column({ name: 'monthly_budget', type: 'numeric', nullable: true })
  monthlyBudget!: string | null;

  /** Null: the plan's. */
  @Column({ name: 'auto_pause', type: 'boolean', nullable: true })
  autoPause!: boolean | null;

  @Column({ name: 'per_event_limit', type: 'numeric', nullable: true })
  perEventLimit!: string | null;

  @Column({ name: 'per_hour_limit', type: 'numeric', nullable: true })
  perHourLimit!: string | null;

  @Column({ name: 'per_day_limit', type: 'numeric', nullable: true })
  perDayLimit!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
