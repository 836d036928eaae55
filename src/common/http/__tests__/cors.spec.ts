import { parseCorsOrigins } from '../cors';

describe('CORS_ORIGINS', () => {
  it('is empty by default', () => {
    expect(parseCorsOrigins(undefined)).toEqual([]);
    expect(parseCorsOrigins(' , ')).toEqual([]);
  });

  it('reads comma-separated origins, scheme and host in lower case, a trailing slash dropped', () => {
    expect(parseCorsOrigins('https://app.example.com, http://localhost:5173/ ,HTTPS://Admin.Example.com:8443')).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
      'https://admin.example.com:8443',
    ]);
  });

  it.each(['app.example.com', 'https://app.example.com/path', 'ftp://files.example.com', '*', 'https://user@app.example.com'])(
    'refuses %s, which is no origin',
    (entry) => {
      expect(() => parseCorsOrigins(entry)).toThrow(`CORS_ORIGINS: "${entry}" is not an origin`);
    },
  );
});
