import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { boundsCheck, QUANTITY_BOUNDS } from '../../common/money/decimal-bounds';
import { DecimalScalar } from '../../common/graphql/scalars';
import { Aggregation } from './aggregation';

@ObjectType({ description: 'Something the platform meters: tokens, calls, sessions, hours, GB.' })
@Entity({ name: 'metrics' })
@Check('CHK_metrics_bounded', boundsCheck({ event_rounding: QUANTITY_BOUNDS }))
export class Metric {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field()
  @Column({ type: 'text', unique: true })
  code!: string;

  @Field()
  @Column({ type: 'text' })
  name!: string;

  @Field()
  @Column({ type: 'text' })
  unit!: string;

  @Field(() => Aggregation)
  @Column({ type: 'enum', enum: Aggregation, enumName: 'aggregation' })
  aggregation!: Aggregation;

  @Field(() => String, { nullable: true })
  @Column({ name: 'unique_by', type: 'text', nullable: true })
  uniqueBy!: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  @Column({ name: 'event_rounding', type: 'numeric', nullable: true })
  eventRounding!: string | null;

  @Field(() => Int, { nullable: true })
  @Column({ name: 'session_idle_minutes', type: 'int', nullable: true })
  sessionIdleMinutes!: number | null;

  @Field(() => String, { nullable: true })
  @Column({ name: 'session_key', type: 'text', nullable: true })
  sessionKey!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
