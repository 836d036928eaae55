import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Role } from '../../common/auth/role';

/** Only the SHA-256 of a key is stored; the secret is shown once at creation. */
@ObjectType({
  description:
    'An API key as listed to admins (`apiKeys`): who it acts as and when it was used. Never its secret, nor its hash: ' +
    'the secret is shown once, by createApiKey.',
})
@Entity({ name: 'api_keys' })
export class ApiKey {
  @Field(() => ID, { description: 'The id revokeApiKey takes.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /**
   * Null for platform admin keys, which are not bound to one organisation. Not a foreign key: keys are a
   * reference table in a sharded database (every request looks its key up by hash before it knows the
   * organisation), and a reference table cannot reference a distributed one; creating a key checks it.
   */
  @Field(() => ID, { nullable: true, description: 'The organisation the key acts for; null for a platform admin key.' })
  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId!: string | null;

  @Field(() => Role, { description: 'What the key may do.' })
  @Column({ type: 'enum', enum: Role, enumName: 'role' })
  role!: Role;

  @Field({ description: 'The name given at creation, to tell keys apart.' })
  @Column({ type: 'text' })
  name!: string;

  @Index('uq_api_keys_hash', { unique: true })
  @Column({ name: 'key_hash', type: 'text' })
  keyHash!: string;

  /** First characters of the key, to tell keys apart in listings without the secret. */
  @Field(() => String, {
    name: 'prefix',
    description: 'The first 10 characters of the key (e.g. "mtr_Ab12Cd"), to recognise it without the secret.',
  })
  @Column({ name: 'key_prefix', type: 'text' })
  keyPrefix!: string;

  @Column({ name: 'created_by_key_id', type: 'uuid', nullable: true })
  createdByKeyId!: string | null;

  @Field(() => Date, { description: 'When the key was created.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Written off the request path, at most about once a minute per key (ApiKeyUsage). */
  @Field(() => Date, {
    nullable: true,
    description: 'When the key last authenticated a request or a websocket, to within about a minute; null if never used.',
  })
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the key was revoked (revokeApiKey); null while it works.' })
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
