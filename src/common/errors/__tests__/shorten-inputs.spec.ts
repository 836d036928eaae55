import { shortenInputs } from '../format-error';

describe('shortenInputs', () => {
  it('leaves ordinary messages as they are', () => {
    const message = `Variable "$input" got invalid value "abc" at "input.events[0].id"; String cannot represent a non string value: 3 ${'word '.repeat(30)}`;
    expect(shortenInputs(message)).toBe(message);
  });

  it('cuts a long quoted input to 100 characters and keeps the explanation after it', () => {
    const message = `Variable "$pad" got invalid value "${'x'.repeat(10_000_000)}"; Int cannot represent non-integer value`;
    expect(shortenInputs(message)).toBe(`Variable "$pad" got invalid value "${'x'.repeat(100)}…"; Int cannot represent non-integer value`);
  });

  it('cuts long unquoted literals, escaped quotes included, and the whole message to 1,000 characters', () => {
    expect(shortenInputs(`Expected a Decimal, found 1e${'9'.repeat(500)}.`)).toBe(`Expected a Decimal, found 1e${'9'.repeat(98)}…`);
    expect(shortenInputs(`value "${'\\"'.repeat(200)}" and more`)).toBe(`value "${'\\"'.repeat(50)}…" and more`);
    const many = shortenInputs(`${'"abc" '.repeat(1000)}`);
    expect(many.length).toBe(1001);
    expect(many.endsWith('…')).toBe(true);
  });
});
