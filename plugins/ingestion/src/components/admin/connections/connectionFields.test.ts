import {
  connectionBody,
  describeSettings,
  serverFieldErrors,
  validateConnection,
} from './connectionFields';

describe('connection form helpers', () => {
  it('splits the server’s problems by field, keeping unknown paths apart', () => {
    expect(
      serverFieldErrors(
        'Invalid connection: bootstrapServers[0]: must be host:port; port: Too big; extra: unknown field',
        ['bootstrapServers', 'port'],
      ),
    ).toEqual({
      bootstrapServers: 'must be host:port',
      port: 'Too big',
      '': 'extra: unknown field',
    });
  });

  it('checks required fields, the name and the port before asking the server', () => {
    expect(
      validateConnection('postgres', { name: 'X', port: '70000' }),
    ).toEqual({
      name: expect.stringContaining('Lower-case'),
      password: 'Required',
      host: 'Required',
      user: 'Required',
      port: 'A port from 1 to 65535',
    });
    expect(
      validateConnection('kafka', {
        name: 'events',
        password: 'p',
        bootstrapServers: 'a:9092',
      }),
    ).toEqual({});
  });

  it('sends typed settings of the chosen type only', () => {
    expect(
      connectionBody('finance', 'kafka', {
        name: ' events ',
        password: 'p',
        bootstrapServers: 'a:9092, b:9092',
        ssl: true,
        host: 'ignored',
      }),
    ).toEqual({
      organization: 'finance',
      name: 'events',
      type: 'kafka',
      password: 'p',
      bootstrapServers: ['a:9092', 'b:9092'],
      ssl: true,
    });
    expect(describeSettings('s3', { bucket: 'raw', prefix: 'orders/' })).toBe(
      's3://raw/orders/',
    );
  });
});
