import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Plan } from './plan.entity';

/**
 * A feature a plan grants: a switch ("sso") and the static values the platform
 * enforces itself ({"limit": 20} for "concurrent_requests"). Catalogue data,
 * created with the plan and never edited, like its charges.
 */
@Entity({ name: 'plan_features' })
export class PlanFeature {
  @PrimaryColumn({ name: 'plan_id', type: 'uuid' })
  planId!: string;

  @PrimaryColumn({ type: 'text' })
  feature!: string;

  @ManyToOne(() => Plan, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'plan_id' })
  plan?: Plan;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ type: 'jsonb', nullable: true })
  config!: object | null;
}
