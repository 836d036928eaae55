import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Role } from '../../common/auth/role';

/** Only the SHA-256 of a key is stored; the secret is shown once at creation. */
@Entity({ name: 'api_keys' })
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /**
   * Null for platform admin keys, which are not bound to one organisation. Not a foreign key: keys are a
   * reference table in a sharded database (every request looks its key up by hash before it knows the
   * organisation), and a reference table cannot reference a distributed one; creating a key checks it.
   */
  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId!: string | null;

  @Column({ type: 'enum', enum: Role, enumName: 'role' })
  role!: Role;

  @Column({ type: 'text' })
  name!: string;

  @Index('uq_api_keys_hash', { unique: true })
  @Column({ name: 'key_hash', type: 'text' })
  keyHash!: string;

  /** First characters of the key, to tell keys apart in listings without the secret. */
  @Column({ name: 'key_prefix', type: 'text' })
  keyPrefix!: string;

  @Column({ name: 'created_by_key_id', type: 'uuid', nullable: true })
  createdByKeyId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
