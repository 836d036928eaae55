import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export enum PlanChangeRequestStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  CANCELED = 'CANCELED',
}

registerEnumType(PlanChangeRequestStatus, {
  name: 'PlanChangeRequestStatus',
  description: 'Where a plan-change request stands. Only a PENDING one may be approved or rejected.',
  valuesConfig: {
    PENDING: { description: 'Waiting for a platform admin; an organisation has at most one.' },
    APPROVED: { description: 'Applied as changePlan applies a change (an upgrade at once, a downgrade at period end).' },
    REJECTED: { description: 'Refused by a platform admin, with the reason given.' },
    CANCELED: { description: 'Replaced by a newer request of the organisation before it was decided.' },
  },
});

/** A tenant admin's request for another plan (seed 003: tenant admins request, platform admins decide). */
@ObjectType({ description: 'A request by a tenant admin to move its organisation to another plan, decided by a platform admin.' })
@Entity({ name: 'plan_change_requests' })
@Index('uq_plan_change_requests_pending', ['organizationId'], { unique: true, where: `"status" = 'PENDING'` })
@Index('ix_plan_change_requests_org', ['organizationId', 'requestedAt'])
export class PlanChangeRequest {
  @Field(() => ID, { description: 'What approvePlanChangeRequest and rejectPlanChangeRequest take.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => ID, { description: 'The organisation whose plan would change.' })
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  /** The plan asked for; plans are reference data, so no foreign key from this tenant table. */
  @Column({ name: 'plan_id', type: 'uuid' })
  planId!: string;

  /** The plan the organisation was on when it asked. */
  @Column({ name: 'from_plan_id', type: 'uuid' })
  fromPlanId!: string;

  @Field(() => PlanChangeRequestStatus, { description: 'PENDING until a platform admin decides, or a newer request replaces it.' })
  @Column({ type: 'text', default: PlanChangeRequestStatus.PENDING })
  status!: PlanChangeRequestStatus;

  /** The API key that asked. */
  @Column({ name: 'requested_by', type: 'text' })
  requestedBy!: string;

  @Field(() => Date, { description: "When it was asked, on the organisation's clock (its test clock, if any)." })
  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;

  /** The API key that approved or rejected it, or the requester's when a newer request replaced it. */
  @Column({ name: 'decided_by', type: 'text', nullable: true })
  decidedBy!: string | null;

  @Field(() => Date, {
    nullable: true,
    description: "When it was approved, rejected or replaced (organisation's clock); null while pending.",
  })
  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it was rejected, as the platform admin wrote it (at most 1,000 characters).' })
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** Real time, to order requests a test clock made at one instant. */
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
