import { createHash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, isPlatformAdmin, type Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/role';
import type { ChangeBus } from '../../common/pubsub/change-bus';
import { tenantScope } from '../organization/tenant-scope';
import { ApiKey } from './api-key.entity';
import { ApiKeyError, ApiKeyErrorReason } from './api-key.error';

export interface CreateApiKeyCommand {
  organizationId?: string | null;
  role: Role;
  name: string;
}

export interface CreatedApiKey {
  id: string;
  /** The secret: returned once, never stored. */
  key: string;
}

const KEY_PREFIX = 'mtr_';

/** Where the database announces a changed or deleted key, by its hash (migration ApiKeyChangeNotify). */
export const API_KEY_CHANNEL = 'meterly_api_keys';

export class ApiKeyService {
  /**
   * Known keys for a few seconds, to spare every request a query; unknown
   * ones are not cached, so a new key works at once. A key revoked or deleted
   * on any node is dropped on every node at once (`forgetChangedKeys`); the
   * TTL only bounds how long a lost notification could matter.
   */
  private readonly known = new LRUCache<string, Principal>({ max: 10_000, ttl: 5_000 });

  constructor(private readonly db: DataSource) {}

  /** Drops a key from the cache whenever the database announces its change on `bus` (API_KEY_CHANNEL). */
  forgetChangedKeys(bus: ChangeBus): void {
    bus.onChange((keyHash) => void this.known.delete(keyHash));
  }

  /** Keys carry 256 random bits, so a fast hash is enough (no password stretching needed). */
  static hash(key: string): string {
    return createHash('sha256').update(key).digest('hex');
  }

  static generate(): string {
    return KEY_PREFIX + randomBytes(32).toString('base64url');
  }

  /** The principal behind a bearer key, or null for an unknown or revoked key. */
  async authenticate(key: string): Promise<Principal | null> {
    if (key.length < 16 || key.length > 200) return null;
    const hash = ApiKeyService.hash(key);
    const cached = this.known.get(hash);
    if (cached) return cached;
    const row = await this.db
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .select(['k.id', 'k.role', 'k.organizationId'])
      .where('k.keyHash = :hash AND k.revokedAt IS NULL', { hash })
      .getOne();
    if (!row) return null;
    const principal: Principal = { apiKeyId: row.id, role: row.role, organizationId: row.organizationId };
    this.known.set(hash, principal);
    return principal;
  }

  async create(principal: Principal, command: CreateApiKeyCommand): Promise<CreatedApiKey> {
    const name = command.name.trim();
    if (!name || name.length > 100) throw new ApiKeyError(ApiKeyErrorReason.INVALID_NAME, 'name must be 1 to 100 characters');

    let organizationId: string | null;
    if (command.role === Role.PLATFORM_ADMIN) {
      if (!isPlatformAdmin(principal))
        throw new ApiKeyError(ApiKeyErrorReason.ROLE_NOT_GRANTABLE, 'Only platform admins may create platform admin keys');
      if (command.organizationId) {
        throw new ApiKeyError(ApiKeyErrorReason.PLATFORM_KEY_WITH_ORGANIZATION, 'A platform admin key belongs to no organization');
      }
      assertCan(principal, Permission.MANAGE_API_KEYS);
      organizationId = null;
    } else {
      const requested = command.organizationId || principal.organizationId;
      if (!requested) throw new ApiKeyError(ApiKeyErrorReason.ORGANIZATION_REQUIRED, `A ${command.role} key needs an organizationId`);
      organizationId = (await tenantScope(this.db.manager, principal, Permission.MANAGE_API_KEYS, requested)).organizationId;
    }
    const key = ApiKeyService.generate();
    const saved = await this.db.getRepository(ApiKey).save({
      organizationId,
      role: command.role,
      name,
      keyHash: ApiKeyService.hash(key),
      keyPrefix: key.slice(0, KEY_PREFIX.length + 6),
      createdByKeyId: principal.apiKeyId,
    });
    return { id: saved.id, key };
  }

  /**
   * Makes sure a platform admin can sign in: registers ADMIN_API_KEY when given,
   * otherwise creates one key on first start and returns it (to be printed once).
   */
  async ensurePlatformAdminKey(configuredKey: string | undefined): Promise<string | null> {
    const repo = this.db.getRepository(ApiKey);
    if (configuredKey) {
      await repo
        .createQueryBuilder()
        .insert()
        .values({
          role: Role.PLATFORM_ADMIN,
          name: 'ADMIN_API_KEY',
          keyHash: ApiKeyService.hash(configuredKey),
          keyPrefix: configuredKey.slice(0, 10),
          organizationId: null,
        })
        .orIgnore()
        .execute();
      return null;
    }
    if (await repo.existsBy({ role: Role.PLATFORM_ADMIN })) return null;
    const key = ApiKeyService.generate();
    await repo.save({
      role: Role.PLATFORM_ADMIN,
      name: 'generated at first start',
      keyHash: ApiKeyService.hash(key),
      keyPrefix: key.slice(0, 10),
      organizationId: null,
      createdByKeyId: null,
    });
    return key;
  }
}
