import { isSecretKey, sanitizeMeta } from './sanitizeMeta';

describe('sanitizeMeta', () => {
  it('drops keys that look like secrets, at any depth', () => {
    expect(
      sanitizeMeta({
        name: 'orders-db',
        password: 'hunter2',
        dbPassword: 'hunter2',
        nested: {
          clientSecret: 'x',
          client_secret: 'x',
          apiKey: 'x',
          'X-Api-Key': 'x',
          token: 'x',
          accessToken: 'x',
          refresh_token: 'x',
          Authorization: 'Bearer x',
          secretAccessKey: 'x',
          privateKey: 'x',
          credentials: { user: 'u', pass: 'p' },
          host: 'db.internal',
        },
        list: [{ secret: 'x', name: 'a' }, 'plain'],
      }),
    ).toEqual({
      name: 'orders-db',
      nested: { host: 'db.internal' },
      list: [{ name: 'a' }, 'plain'],
    });
  });

  it('keeps harmless keys that merely contain a secret-looking word part', () => {
    expect(isSecretKey('passed')).toBe(false);
    expect(isSecretKey('passengerCount')).toBe(false);
    expect(isSecretKey('keyId')).toBe(false);
    expect(isSecretKey('tokenizer')).toBe(false);
    expect(isSecretKey('MYSQL_PASSWORD')).toBe(true);
    expect(isSecretKey('sessionId')).toBe(true);
    expect(sanitizeMeta({ passed: true, keyId: 'key-2026-01' })).toEqual({
      passed: true,
      keyId: 'key-2026-01',
    });
  });

  it('masks passwords in URLs', () => {
    expect(
      sanitizeMeta({
        url: 'postgres://ingest:s3cr3t@db.internal:5432/orders',
        note: 'moved from mysql://root:pw@old-host/db to new-host',
        plain: 'https://example.com/a@b',
      }),
    ).toEqual({
      url: 'postgres://ingest:***@db.internal:5432/orders',
      note: 'moved from mysql://root:***@old-host/db to new-host',
      plain: 'https://example.com/a@b',
    });
  });

  it('turns values into JSON and bounds their size', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const meta = sanitizeMeta({
      at: new Date('2026-03-10T10:00:00Z'),
      error: new Error('boom'),
      big: 12n,
      nan: Number.NaN,
      missing: undefined,
      fn: () => 1,
      buffer: Buffer.from('key material'),
      circular,
      long: 'x'.repeat(5000),
    });
    expect(meta).toMatchObject({
      at: '2026-03-10T10:00:00.000Z',
      error: 'boom',
      big: '12',
      nan: 'NaN',
      buffer: '[binary]',
      circular: { a: 1, self: '[…]' },
    });
    expect(meta).not.toHaveProperty('missing');
    expect(meta).not.toHaveProperty('fn');
    expect((meta!.long as string).length).toBe(2001);

    expect(
      sanitizeMeta({
        rows: Array.from({ length: 100 }, (_, i) => ({
          i,
          text: 'y'.repeat(500),
        })),
      }),
    ).toEqual({ truncated: true, keys: ['rows'] });
  });

  it('answers undefined when nothing is left', () => {
    expect(sanitizeMeta(undefined)).toBeUndefined();
    expect(sanitizeMeta({})).toBeUndefined();
    expect(sanitizeMeta({ password: 'x' })).toBeUndefined();
  });
});
