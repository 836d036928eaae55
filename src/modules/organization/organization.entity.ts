import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType({ description: 'A customer of the platform: the tenant that usage, plans and invoices belong to.' })
@Entity({ name: 'organizations' })
export class Organization {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field()
  @Column({ type: 'text' })
  name!: string;

  @Field({ description: 'ISO 4217 code that all of its amounts are in.' })
  @Column({ type: 'char', length: 3 })
  currency!: string;

  /** Set for simulated organisations: their "now" (advanced by advanceTestClock). */
  @Field(() => Date, { nullable: true, description: 'The simulated clock of a test organisation; null for real time.' })
  @Column({ name: 'test_clock_at', type: 'timestamptz', nullable: true })
  testClockAt!: Date | null;

  @Field(() => Date)
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
