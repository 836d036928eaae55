import { Field, ObjectType } from 'type-graphql';
import { Money } from '../../../common/money/money.type';

@ObjectType({ description: 'A bank account the invoice may be paid into, as Stripe gave it for the customer.' })
export class BankTransferAddress {
  @Field({ description: 'aba (US routing and account number, for ACH and domestic wires) or swift (international wires).' })
  type!: string;

  @Field({ description: 'The receiving bank.' })
  bankName!: string;

  @Field({ description: 'The name to pay to.' })
  accountHolderName!: string;

  @Field({ description: "The account number to pay into: a virtual account Stripe opened for this customer's balance." })
  accountNumber!: string;

  @Field(() => String, { nullable: true, description: 'ABA routing number (aba addresses); null otherwise.' })
  routingNumber!: string | null;

  @Field(() => String, { nullable: true, description: 'SWIFT/BIC code (swift addresses); null otherwise.' })
  swiftCode!: string | null;

  @Field(() => [String], { description: 'The networks this account accepts: ach, domestic_wire_us, swift.' })
  networks!: string[];
}

@ObjectType({
  description:
    'How to pay an invoice by bank transfer (plans with net-30 terms or longer, in USD, when Stripe is configured): ' +
    "the money goes to the customer's Stripe balance, which settles the invoice.",
})
export class BankTransferInstructions {
  @Field(() => Money, { description: 'What is still to be paid on the invoice.' })
  amount!: Money;

  @Field(() => [BankTransferAddress], { description: 'Where to send it: one entry per kind of transfer.' })
  addresses!: BankTransferAddress[];

  @Field(() => String, { nullable: true, description: "Stripe's hosted page for the invoice, with the same instructions." })
  hostedInvoiceUrl!: string | null;
}
