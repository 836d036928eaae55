import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Organization } from './organization.entity';

@ObjectType({ description: 'A team inside an organisation, named by the key the platform already uses.' })
@Entity({ name: 'teams' })
@Index('uq_teams_org_key', ['organizationId', 'key'], { unique: true })
export class Team {
  @Field(() => ID, { description: 'The team.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Field({ description: 'The platform\'s own name for the team, e.g. "engineering".' })
  @Column({ type: 'text', collation: 'C' })
  key!: string;

  @Field(() => String, { nullable: true, description: 'Department the team rolls up to, for cost allocation.' })
  @Column({ type: 'text', nullable: true })
  department!: string | null;

  @Field(() => Date, { description: 'When usage first named the team.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
