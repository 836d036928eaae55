import { copyValue } from '../copy';

describe('COPY text values', () => {
  it('escapes what the format reserves and writes NULL as \\N', () => {
    expect(copyValue('plain')).toBe('plain');
    expect(copyValue('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue('{"model": "gpt-4"}')).toBe('{"model": "gpt-4"}');
  });
});
