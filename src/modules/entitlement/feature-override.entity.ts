import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Organization } from '../organization/organization.entity';

/** A platform admin's exception to the plan for one organisation: a feature granted, withdrawn or configured otherwise. */
@Entity({ name: 'feature_overrides' })
export class FeatureOverride {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @PrimaryColumn({ type: 'text' })
  feature!: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  /** Null: the plan's configuration stays. Typed loosely: it is read through the entitlement store, written as given. */
  @Column({ type: 'jsonb', nullable: true })
  config!: object | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
