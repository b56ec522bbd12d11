import {
  dataPlatformSystemName,
  datasetEntityName,
  formatEntityRef,
  organizationNamespace,
  pipelineEntityName,
  stableHash,
  toEntityName,
} from './catalogNames';
import { Prng } from '../expression/testUtils/prng';

// The catalog's own rules (@backstage/catalog-model's KubernetesValidatorFunctions).
const isValidName = (name: string) =>
  name.length >= 1 &&
  name.length <= 63 &&
  /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name);
const isValidNamespace = (namespace: string) =>
  namespace.length >= 1 &&
  namespace.length <= 63 &&
  /^[a-z0-9]+(?:-+[a-z0-9]+)*$/.test(namespace);

describe('catalog names', () => {
  it('keeps names that are already valid and lower-case', () => {
    expect(toEntityName('daily-transactions')).toBe('daily-transactions');
    expect(toEntityName('finance_catalog.analytics.daily')).toBe(
      'finance_catalog.analytics.daily',
    );
    expect(organizationNamespace('finance')).toBe('finance');
  });

  it('normalises other names and tells them apart by a hash of the input', () => {
    const upper = toEntityName('Daily-Transactions');
    const lower = toEntityName('daily-transactions');
    expect(upper).toMatch(/^daily-transactions-[0-9a-f]{10}$/);
    expect(upper).not.toBe(lower);
    expect(toEntityName('sales_')).toMatch(/^sales-[0-9a-f]{10}$/);
    expect(toEntityName('')).toMatch(/^[0-9a-f]{10}$/);
    expect(toEntityName('日本語')).toMatch(/^[0-9a-f]{10}$/);
    // an input that looks like a normalised name is suffixed too, so it cannot collide with one
    expect(toEntityName('abc-0123456789')).not.toBe('abc-0123456789');
    const long = 'x'.repeat(100);
    expect(toEntityName(long)).toHaveLength(63);
  });

  it('makes namespaces DNS labels', () => {
    expect(organizationNamespace('finance-eu')).toBe('finance-eu');
    expect(isValidNamespace(organizationNamespace('ab-'))).toBe(true);
    expect(isValidNamespace(organizationNamespace('Finance_EU'))).toBe(true);
  });

  it('gives valid, deterministic and distinct names for random inputs', () => {
    const prng = new Prng(42);
    const random = () => prng.next();
    const alphabet = 'aZ09-_./: *é\u0000';
    const seen = new Map<string, string>();
    const collisions: Array<[string, string]> = [];
    for (let i = 0; i < 5000; i++) {
      const length = Math.floor(random() * 80);
      let raw = '';
      for (let j = 0; j < length; j++) {
        raw += alphabet[Math.floor(random() * alphabet.length)];
      }
      const name = toEntityName(raw);
      expect(isValidName(name)).toBe(true);
      expect(toEntityName(raw)).toBe(name);
      expect(isValidNamespace(organizationNamespace(raw))).toBe(true);
      if (seen.has(name) && seen.get(name) !== raw) {
        collisions.push([seen.get(name)!, raw]);
      }
      seen.set(name, raw);
    }
    expect(collisions).toEqual([]);
  });

  it('names the entities of an organization in its namespace', () => {
    expect(formatEntityRef(dataPlatformSystemName('finance'))).toBe(
      'system:finance/finance-data-platform',
    );
    expect(
      formatEntityRef(pipelineEntityName('finance', 'daily-transactions')),
    ).toBe('component:finance/daily-transactions');
    expect(
      formatEntityRef(
        datasetEntityName('finance', {
          kind: 'iceberg-table',
          name: 'finance_catalog.analytics.daily_transactions',
        }),
      ),
    ).toBe('resource:finance/finance_catalog.analytics.daily_transactions');
    expect(
      datasetEntityName('finance', {
        kind: 'mysql-table',
        name: 'finance-db/transactions',
      }).name,
    ).toBe('mysql-table.finance-db.transactions');
    expect(
      datasetEntityName('finance', {
        kind: 'mysql-table',
        name: 'finance-db/shop.orders',
      }).name,
    ).toBe('mysql-table.finance-db.shop.orders');
    expect(
      datasetEntityName('finance', { kind: 'kafka-topic', name: 'user-events' })
        .name,
    ).toBe('kafka-topic.user-events');
    expect(
      datasetEntityName('finance', {
        kind: 's3-prefix',
        name: 's3://finance-data-lake/raw/',
      }).name,
    ).toMatch(/^s3-prefix.s3-finance-data-lake-raw-[0-9a-f]{10}$/);
  });

  it('hashes with 64-bit FNV-1a', () => {
    expect(stableHash('')).toBe('cbf29ce484222325');
    expect(stableHash('a')).toBe('af63dc4c8601ec8c');
  });
});
