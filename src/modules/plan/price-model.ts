import { registerEnumType } from 'type-graphql';

export enum PriceModel {
  PER_UNIT = 'PER_UNIT',
  PACKAGE = 'PACKAGE',
  GRADUATED = 'GRADUATED',
  VOLUME = 'VOLUME',
}

registerEnumType(PriceModel, {
  name: 'PriceModel',
  description: 'How usage above the included quantity is priced.',
  valuesConfig: {
    PER_UNIT: { description: 'unitPrice per unit, or per dimension value with dimensionPrices (rate card).' },
    PACKAGE: { description: 'packagePrice per started block of packageSize units ("500 calls for $5").' },
    GRADUATED: { description: 'Each tier prices the units that fall inside it.' },
    VOLUME: { description: 'The tier reached prices every unit.' },
  },
});
