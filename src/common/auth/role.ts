import { registerEnumType } from 'type-graphql';

export enum Role {
  PLATFORM_ADMIN = 'PLATFORM_ADMIN',
  TENANT_ADMIN = 'TENANT_ADMIN',
  BILLING_CONTACT = 'BILLING_CONTACT',
  MEMBER = 'MEMBER',
}

registerEnumType(Role, {
  name: 'Role',
  description: 'What an API key may do, by the role/permission matrix.',
  valuesConfig: {
    PLATFORM_ADMIN: { description: "The platform's own services and operators: everything, for every organisation." },
    TENANT_ADMIN: {
      description: 'One organisation: read it, its usage, invoices and audit log; manage its alerts, payment method and API keys.',
    },
    BILLING_CONTACT: { description: 'One organisation: read it, its usage and invoices; manage its alerts and payment method.' },
    MEMBER: { description: 'One organisation: read it and its usage.' },
  },
});
