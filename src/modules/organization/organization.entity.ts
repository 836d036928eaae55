import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType({ description: 'A customer of the platform: the tenant that usage, plans and invoices belong to.' })
@Entity({ name: 'organizations' })
// The trigram index of the name search, made by migration PlatformOperations where pg_trgm exists: TypeORM cannot describe it.
@Index('ix_organizations_name_trgm', { synchronize: false })
export class Organization {
  @Field(() => ID, { description: 'The organisation; every organizationId argument takes it.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field({ description: 'Its display name, 1 to 200 characters.' })
  @Column({ type: 'text' })
  name!: string;

  @Field({ description: 'ISO 4217 code that all of its amounts are in.' })
  @Column({ type: 'char', length: 3 })
  currency!: string;

  /** Set for simulated organisations: their "now" (advanced by advanceTestClock). */
  @Field(() => Date, { nullable: true, description: 'The simulated clock of a test organisation; null for real time.' })
  @Column({ name: 'test_clock_at', type: 'timestamptz', nullable: true })
  testClockAt!: Date | null;

  /** Set when the account is closed: no new usage or charges; amounts owed stay due. */
  @Field(() => Date, { nullable: true, description: 'When closeAccount closed it: no new usage or charges since; null while open.' })
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'stripe_customer_id', type: 'text', nullable: true })
  stripeCustomerId!: string | null;

  /** Card attached through a SetupIntent: only its id is kept here, the card itself stays at Stripe. */
  @Column({ name: 'stripe_payment_method_id', type: 'text', nullable: true })
  stripePaymentMethodId!: string | null;

  /** Where webhook alerts are POSTed, signed with `alertWebhookSecret`. */
  @Field(() => String, {
    nullable: true,
    description:
      'Where webhook alerts are POSTed (setAlertWebhook); null when none is set. Roles that may not manage alerts see it without its credentials.',
  })
  @Column({ name: 'alert_webhook_url', type: 'text', nullable: true })
  alertWebhookUrl!: string | null;

  @Column({ name: 'alert_webhook_secret', type: 'text', nullable: true })
  alertWebhookSecret!: string | null;

  /** Phone numbers (E.164) that alerts on the sms channel are texted to; read through a field resolver that hides them from members. */
  @Column({ name: 'alert_sms_recipients', type: 'text', array: true, default: () => "'{}'" })
  alertSmsRecipients!: string[];

  @Field(() => Date, { description: 'When it was created.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
