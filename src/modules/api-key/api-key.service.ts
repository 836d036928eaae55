import { hash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { IsNull, type DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import { assertCan, isPlatformAdmin, type Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/role';
import { assertId } from '../../common/errors/common-error';
import type { ChangeBus } from '../../common/pubsub/change-bus';
import { tenantScope } from '../organization/tenant-scope';
import type { ApiKeyUsage } from './api-key-usage';
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
  private readonly changeListeners: Array<(keyHash: string) => void> = [];

  /** `usage`, when given, records each key's last use (a server's; a one-off script needs none). */
  constructor(
    private readonly db: DataSource,
    private readonly usage?: ApiKeyUsage,
  ) {}

  /**
   * Drops a key from the cache whenever the database announces its change on `bus` (API_KEY_CHANNEL), then tells
   * the `onKeyChanged` listeners (the websockets it opened).
   */
  forgetChangedKeys(bus: ChangeBus): void {
    bus.onChange((keyHash) => {
      this.known.delete(keyHash);
      for (const listener of this.changeListeners) listener(keyHash);
    });
  }

  /** Called with the hash of each key changed in the database (revoked, deleted, its role or organisation changed). */
  onKeyChanged(listener: (keyHash: string) => void): void {
    this.changeListeners.push(listener);
  }

  /**
   * Keys carry 256 random bits, so a fast hash is enough (no password stretching needed). The one-shot
   * `crypto.hash` costs a quarter of a Hash object's, and every request pays it.
   */
  static hash(key: string): string {
    return hash('sha256', key, 'hex');
  }

  static generate(): string {
    return KEY_PREFIX + randomBytes(32).toString('base64url');
  }

  /** The principal behind a bearer key, or null for an unknown or revoked key. */
  async authenticate(key: string): Promise<Principal | null> {
    if (key.length < 16 || key.length > 200) return null;
    const principal = await this.principalOf(ApiKeyService.hash(key));
    if (principal) this.usage?.used(principal.apiKeyId);
    return principal;
  }

  /** Who the key with this hash acts as now, or null when it is unknown or revoked. */
  async principalOf(hash: string): Promise<Principal | null> {
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
   * The keys of an organisation, newest first, revoked ones included: a tenant admin's own organisation's (the
   * default), any organisation's for a platform admin, who also lists the platform keys with a null organisation.
   */
  async list(principal: Principal, organizationIdInput: string | null): Promise<ApiKey[]> {
    let organizationId: string | null;
    if (organizationIdInput === null && isPlatformAdmin(principal)) {
      assertCan(principal, Permission.MANAGE_API_KEYS);
      organizationId = null;
    } else {
      const requested = organizationIdInput ?? principal.organizationId;
      if (!requested) throw new ApiKeyError(ApiKeyErrorReason.ORGANIZATION_REQUIRED, 'This key belongs to no organization: name one');
      organizationId = (await tenantScope(this.db.manager, principal, Permission.MANAGE_API_KEYS, requested)).organizationId;
    }
    return this.db
      .getRepository(ApiKey)
      .find({ where: { organizationId: organizationId ?? IsNull() }, order: { createdAt: 'DESC', id: 'DESC' } });
  }

  /**
   * Revokes a key at once on every node: the update fires the database's announcement (ApiKeyChangeNotify), on
   * which each node drops the key from its cache and closes the websockets it opened. Revoking a revoked key
   * changes nothing. Another organisation's key is answered as if it did not exist. The caller's own key is
   * refused, so that no one locks themselves (or the last platform admin) out by accident: a key is rotated by
   * creating the new one and revoking the old one with it.
   */
  async revoke(principal: Principal, idInput: string): Promise<ApiKey> {
    const id = assertId(idInput, 'API key id');
    assertCan(principal, Permission.MANAGE_API_KEYS);
    const repo = this.db.getRepository(ApiKey);
    const key = await repo.findOneBy({ id });
    if (!key || (!isPlatformAdmin(principal) && key.organizationId !== principal.organizationId))
      throw new ApiKeyError(ApiKeyErrorReason.NOT_FOUND, `API key ${id} does not exist`);
    if (key.id === principal.apiKeyId)
      throw new ApiKeyError(ApiKeyErrorReason.OWN_KEY, 'A key cannot revoke itself: revoke it with another key');
    if (key.revokedAt) return key;
    // The database's clock, as for createdAt; a concurrent revocation's time stands.
    await repo.update({ id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    return repo.findOneByOrFail({ id });
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
