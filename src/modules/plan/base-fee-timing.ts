import { registerEnumType } from 'type-graphql';

/** When a plan's base fee is invoiced: with the period's usage once it ends, or when the period starts. */
export enum BaseFeeTiming {
  IN_ADVANCE = 'IN_ADVANCE',
  IN_ARREARS = 'IN_ARREARS',
}

registerEnumType(BaseFeeTiming, {
  name: 'BaseFeeTiming',
  description: "When a plan's base fee is invoiced. Periods are calendar months in UTC either way.",
  valuesConfig: {
    IN_ADVANCE: {
      description:
        "Each period's base fee is invoiced when the period starts: at subscription start an invoice for the rest of the " +
        "month pro rata by time, then each close invoices the ended period's usage with the new period's fee.",
    },
    IN_ARREARS: { description: "The default: the period's base fee is invoiced with its usage when the period closes." },
  },
});
