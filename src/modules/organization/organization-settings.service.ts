import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { can, Permission } from '../../common/auth/permission';
import type { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/role';
import { authorizeTenant } from '../../common/auth/tenant-scope';
import { namedParameters } from '../../common/database/pg-array';
import { OutboundRefusal, redactUrlCredentials, type OutboundPolicy } from '../../common/http/outbound-target';
import { Organization } from './organization.entity';
import { OrganizationError, OrganizationErrorReason } from './organization.error';
import { OrganizationService } from './organization.service';
import { loadTenantScope } from './tenant-scope';
import { User } from './user.entity';

const REFUSALS: Record<OutboundRefusal, OrganizationErrorReason> = {
  [OutboundRefusal.INVALID_URL]: OrganizationErrorReason.INVALID_URL,
  [OutboundRefusal.URL_TOO_LONG]: OrganizationErrorReason.URL_TOO_LONG,
  [OutboundRefusal.HTTPS_REQUIRED]: OrganizationErrorReason.HTTPS_REQUIRED,
  [OutboundRefusal.INTERNAL_ADDRESS]: OrganizationErrorReason.INTERNAL_ADDRESS,
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all. */
const E164 = /^\+[1-9][0-9]{1,14}$/;
const MAX_SMS_RECIPIENTS = 10;

const CONTACT = namedParameters(['org', 'key', 'email', 'role'] as const);
const UPSERT_CONTACT = `INSERT INTO users (organization_id, key, email, role) VALUES (${CONTACT.sql.org}, ${CONTACT.sql.key}, ${CONTACT.sql.email}, ${CONTACT.sql.role})
  ON CONFLICT (organization_id, key) DO UPDATE SET email = EXCLUDED.email, role = EXCLUDED.role`;

/**
 * Where an organisation's alerts go: its webhook and its billing contacts.
 * Managed by whoever manages its alerts.
 */
export class OrganizationSettingsService {
  constructor(
    private readonly db: DataSource,
    private readonly outbound: OutboundPolicy,
    /** Whether the server has SMS settings; without them no SMS recipient may be set. */
    private readonly smsConfigured = false,
  ) {}

  /**
   * Sets where webhook alerts go and returns a new signing secret, shown once. The URL must
   * be a public https one, unless its host is allowed (WEBHOOK_ALLOWED_HOSTS); delivery
   * checks the addresses its name resolves to again.
   */
  async setWebhook(principal: Principal, organizationIdInput: string, url: string): Promise<{ url: string; secret: string }> {
    const organizationId = authorizeTenant(principal, Permission.MANAGE_ALERTS, organizationIdInput);
    const checked = this.outbound.check(url, 'The webhook URL');
    if (!checked.ok) throw new OrganizationError(REFUSALS[checked.refusal], checked.message);
    const parsed = checked.url;
    await loadTenantScope(this.db.manager, organizationId);
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    await this.db
      .getRepository(Organization)
      .update({ id: organizationId }, { alertWebhookUrl: parsed.toString(), alertWebhookSecret: secret });
    return { url: parsed.toString(), secret };
  }

  /**
   * The webhook URL as `principal` may read it: whole for the roles that set it (MANAGE_ALERTS),
   * with its credentials (userinfo, query values) hidden from the others.
   */
  webhookUrlFor(principal: Principal, organization: Organization): string | null {
    const url = organization.alertWebhookUrl;
    if (url === null || can(principal.role, Permission.MANAGE_ALERTS)) return url;
    return redactUrlCredentials(url);
  }

  /**
   * Replaces the phone numbers alerts on the sms channel are texted to (an empty list stops them).
   * Refused while the server has no SMS settings, since nothing could be sent.
   */
  async setSmsRecipients(principal: Principal, organizationIdInput: string, phoneNumbers: string[]): Promise<string[]> {
    const organizationId = authorizeTenant(principal, Permission.MANAGE_ALERTS, organizationIdInput);
    const numbers = [...new Set(phoneNumbers)];
    if (numbers.length > 0 && !this.smsConfigured) {
      throw new OrganizationError(
        OrganizationErrorReason.SMS_NOT_CONFIGURED,
        'SMS alerts are not set up on this server (SMS_ACCOUNT_SID, SMS_AUTH_TOKEN and SMS_FROM)',
      );
    }
    if (numbers.length > MAX_SMS_RECIPIENTS)
      throw new OrganizationError(OrganizationErrorReason.TOO_MANY_RECIPIENTS, `At most ${MAX_SMS_RECIPIENTS} SMS recipients`);
    const bad = numbers.find((n) => !E164.test(n));
    if (bad !== undefined) {
      throw new OrganizationError(
        OrganizationErrorReason.INVALID_PHONE_NUMBER,
        `"${bad.slice(0, 40)}" is not a phone number in E.164 form, such as +14155550100`,
      );
    }
    await loadTenantScope(this.db.manager, organizationId);
    await this.db.getRepository(Organization).update({ id: organizationId }, { alertSmsRecipients: numbers });
    return numbers;
  }

  /** The SMS recipients for the roles that set them (MANAGE_ALERTS); null for the others, since they are personal numbers. */
  smsRecipientsFor(principal: Principal, organization: Organization): string[] | null {
    return can(principal.role, Permission.MANAGE_ALERTS) ? organization.alertSmsRecipients : null;
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
