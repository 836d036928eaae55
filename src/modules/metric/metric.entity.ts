import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { boundsCheck, QUANTITY_BOUNDS } from '../../common/money/decimal-bounds';
import { DecimalScalar } from '../../common/graphql/scalars';
import { Aggregation } from './aggregation';

@ObjectType({ description: 'Something the platform meters: tokens, calls, sessions, hours, GB.' })
@Entity({ name: 'metrics' })
@Check('CHK_metrics_bounded', boundsCheck({ event_rounding: QUANTITY_BOUNDS }))
export class Metric {
  @Field(() => ID, { description: 'The metric.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field({ description: 'Stable identifier that events and plans use, e.g. "llm_tokens".' })
  @Column({ type: 'text', unique: true })
  code!: string;

  @Field({ description: 'Display name, e.g. "LLM tokens".' })
  @Column({ type: 'text' })
  name!: string;

  @Field({ description: 'Unit of its quantities, e.g. "token", "hour", "GB".' })
  @Column({ type: 'text' })
  unit!: string;

  @Field(() => Aggregation, { description: "How a period's events become one quantity." })
  @Column({ type: 'enum', enum: Aggregation, enumName: 'aggregation' })
  aggregation!: Aggregation;

  @Field(() => String, {
    nullable: true,
    description: 'UNIQUE_COUNT: the field or dimension whose distinct values are counted; null otherwise.',
  })
  @Column({ name: 'unique_by', type: 'text', nullable: true })
  uniqueBy!: string | null;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: "Each event's quantity is rounded up to a multiple of this; null: not rounded.",
  })
  @Column({ name: 'event_rounding', type: 'numeric', nullable: true })
  eventRounding!: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'COUNT of sessions: a session ends after this many idle minutes; null: events are counted.',
  })
  @Column({ name: 'session_idle_minutes', type: 'int', nullable: true })
  sessionIdleMinutes!: number | null;

  @Field(() => String, { nullable: true, description: 'COUNT of sessions: the field or dimension that identifies a session, e.g. "user".' })
  @Column({ name: 'session_key', type: 'text', nullable: true })
  sessionKey!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
