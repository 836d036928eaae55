import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Role } from '../../common/auth/role';
import { Organization } from './organization.entity';

@ObjectType({ description: "A person of an organisation, named by the platform's own user key." })
@Entity({ name: 'users' })
@Index('uq_users_org_key', ['organizationId', 'key'], { unique: true })
export class User {
  @Field(() => ID, { description: 'The user.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Field({ description: 'The platform\'s own user key, e.g. "alice"; usage events name users by it.' })
  @Column({ type: 'text', collation: 'C' })
  key!: string;

  @Field(() => String, { nullable: true, description: 'Where alert emails go, for billing contacts; null when unknown.' })
  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Field(() => Role, { nullable: true, description: 'Billing contacts receive invoice and alert emails.' })
  @Column({ type: 'enum', enum: Role, enumName: 'role', nullable: true })
  role!: Role | null;

  @Field(() => Date, { description: 'When the user was first named.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
