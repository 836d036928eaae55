import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/role';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { namedParameters } from '../../common/database/pg-array';
import { Organization } from './organization.entity';
import { OrganizationError, OrganizationErrorReason } from './organization.error';
import { OrganizationService } from './organization.service';
import { loadTenantScope } from './tenant-scope';
import { User } from './user.entity';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const CONTACT = namedParameters(['org', 'key', 'email', 'role'] as const);
const UPSERT_CONTACT = `INSERT INTO users (organization_id, key, email, role) VALUES (${CONTACT.sql.org}, ${CONTACT.sql.key}, ${CONTACT.sql.email}, ${CONTACT.sql.role})
  ON CONFLICT (organization_id, key) DO UPDATE SET email = EXCLUDED.email, role = EXCLUDED.role`;

/**
 * Where an organisation's alerts go: its webhook and its billing contacts.
 * Managed by whoever manages its alerts.
 */
export class OrganizationSettingsService {
  constructor(private readonly db: DataSource) {}

  /** Sets where webhook alerts go and returns a new signing secret, shown once. */
  async setWebhook(principal: Principal, organizationIdInput: string, url: string): Promise<{ url: string; secret: string }> {
    const organizationId = authorizeTenant(principal, Permission.MANAGE_ALERTS, organizationIdInput);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OrganizationError(OrganizationErrorReason.INVALID_URL, `"${url}" is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
      throw new OrganizationError(OrganizationErrorReason.INVALID_URL, 'The webhook URL must be http or https');
    await loadTenantScope(this.db.manager, organizationId);
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    await this.db
      .getRepository(Organization)
      .update({ id: organizationId }, { alertWebhookUrl: parsed.toString(), alertWebhookSecret: secret });
    return { url: parsed.toString(), secret };
  }

  /** A billing contact receives alert emails. */
  async setBillingContact(principal: Principal, organizationIdInput: string, email: string, userKey?: string | null): Promise<User> {
    const organizationId = authorizeTenant(principal, Permission.MANAGE_ALERTS, organizationIdInput);
    if (!EMAIL.test(email) || email.length > 320)
      throw new OrganizationError(OrganizationErrorReason.INVALID_EMAIL, `"${email}" is not an email address`);
    await loadTenantScope(this.db.manager, organizationId);
    const key = userKey ?? email.toLowerCase();
    if (!OrganizationService.isValidKey(key))
      throw new OrganizationError(OrganizationErrorReason.INVALID_EMAIL, `"${key}" is not a valid user key`);
    await this.db.query(UPSERT_CONTACT, CONTACT.values({ org: organizationId, key, email, role: Role.BILLING_CONTACT }));
    return this.db.getRepository(User).findOneByOrFail({ organizationId, key });
  }
}
