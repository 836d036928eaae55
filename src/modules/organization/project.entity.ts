import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Organization } from './organization.entity';

@ObjectType({ description: 'A project inside an organisation, named by the key the platform already uses.' })
@Entity({ name: 'projects' })
@Index('uq_projects_org_key', ['organizationId', 'key'], { unique: true })
export class Project {
  @Field(() => ID, { description: 'The project.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Field({ description: 'The platform\'s own name for the project, e.g. "project_a".' })
  @Column({ type: 'text', collation: 'C' })
  key!: string;

  @Field(() => Date, { description: 'When usage first named the project.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
