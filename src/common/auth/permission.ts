import { Role } from './role';

/** Actions of the role/permission matrix, plus the platform's own. */
export enum Permission {
  VIEW_ORGANIZATION = 'VIEW_ORGANIZATION',
  VIEW_USAGE = 'VIEW_USAGE',
  VIEW_INVOICES = 'VIEW_INVOICES',
  CHANGE_PLAN = 'CHANGE_PLAN',
  REQUEST_PLAN_CHANGE = 'REQUEST_PLAN_CHANGE',
  MANAGE_PAYMENT = 'MANAGE_PAYMENT',
  MANAGE_ALERTS = 'MANAGE_ALERTS',
  MANAGE_SPEND_CONTROLS = 'MANAGE_SPEND_CONTROLS',
  MANAGE_API_KEYS = 'MANAGE_API_KEYS',
  MANAGE_ORGANIZATIONS = 'MANAGE_ORGANIZATIONS',
  MANAGE_CATALOG = 'MANAGE_CATALOG',
  RECORD_USAGE = 'RECORD_USAGE',
  RUN_BILLING = 'RUN_BILLING',
  GRANT_CREDITS = 'GRANT_CREDITS',
  VIEW_AUDIT = 'VIEW_AUDIT',
  MANAGE_WEBHOOKS = 'MANAGE_WEBHOOKS',
}

/**
 * Platform admins may do everything for every tenant; tenant admins
 * and billing contacts act on their own tenant only; a tenant admin may only
 * request a plan change. Members see their organisation's usage, nothing else.
 * Usage is recorded by the platform's own services (platform admin keys).
 */
export const PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  [Role.PLATFORM_ADMIN]: new Set(Object.values(Permission)),
  [Role.TENANT_ADMIN]: new Set([
    Permission.VIEW_ORGANIZATION,
    Permission.VIEW_USAGE,
    Permission.VIEW_INVOICES,
    Permission.REQUEST_PLAN_CHANGE,
    Permission.MANAGE_PAYMENT,
    Permission.MANAGE_ALERTS,
    Permission.MANAGE_SPEND_CONTROLS,
    Permission.MANAGE_API_KEYS,
    Permission.VIEW_AUDIT,
  ]),
  [Role.BILLING_CONTACT]: new Set([
    Permission.VIEW_ORGANIZATION,
    Permission.VIEW_USAGE,
    Permission.VIEW_INVOICES,
    Permission.MANAGE_PAYMENT,
    Permission.MANAGE_ALERTS,
    Permission.MANAGE_SPEND_CONTROLS,
  ]),
  [Role.MEMBER]: new Set([Permission.VIEW_ORGANIZATION, Permission.VIEW_USAGE]),
};

export const can = (role: Role, permission: Permission): boolean => PERMISSIONS[role].has(permission);
