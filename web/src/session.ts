import type { Client } from 'graphql-ws';
import type { Organization, Role } from './api';

/** Who is signed in, on which organisation, and the live socket opened with that key. */
export interface Session {
  key: string;
  role: Role;
  organization: Organization;
  live: Client;
}

/** What a page needs from its role: members see usage only. */
export const mayViewInvoices = (role: Role): boolean => role !== 'MEMBER';
export const mayManageAlerts = (role: Role): boolean => role !== 'MEMBER';
/** Platform admins, tenant admins and billing contacts set spend controls; members see them read-only. */
export const mayManageSpendControls = (role: Role): boolean => role !== 'MEMBER';
/** Seed 003: managing payment is for platform admins, tenant admins and billing contacts. */
export const mayManagePayment = (role: Role): boolean => role !== 'MEMBER';

/** A page of the dashboard: `show` runs each time it is opened, so it fetches fresh numbers. */
export interface View {
  readonly section: HTMLElement;
  show(): void;
}

// sessionStorage, not localStorage: the key lives as long as the tab and never reaches other tabs or disk.
const KEY = 'meterly.apiKey';
const ORGANIZATION = 'meterly.organizationId';

export const storedKey = (): string | null => sessionStorage.getItem(KEY);
export const storedOrganization = (): string | null => sessionStorage.getItem(ORGANIZATION);
export const storeKey = (key: string): void => sessionStorage.setItem(KEY, key);
export const storeOrganization = (id: string): void => sessionStorage.setItem(ORGANIZATION, id);
export const forgetOrganization = (): void => sessionStorage.removeItem(ORGANIZATION);
export function forgetAll(): void {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(ORGANIZATION);
}
