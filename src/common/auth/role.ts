import { registerEnumType } from 'type-graphql';

export enum Role {
  PLATFORM_ADMIN = 'PLATFORM_ADMIN',
  TENANT_ADMIN = 'TENANT_ADMIN',
  BILLING_CONTACT = 'BILLING_CONTACT',
  MEMBER = 'MEMBER',
}

registerEnumType(Role, { name: 'Role', description: 'What an API key may do, by the role/permission matrix.' });
