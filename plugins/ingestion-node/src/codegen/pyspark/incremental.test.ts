import { runPython } from '../__testUtils__';
import { HighWaterMarkTarget, incrementalFilter } from './sources';

/**
 * Runs the incremental-load lines against a minimal stand-in for PySpark (the functions, DataFrame methods and
 * catalog calls they use), so the watermark logic is executed, not just compared as text.
 */
const HARNESS = `
import json, sys

spec = json.load(sys.stdin)


class Lit:
    def __init__(self, value):
        self.value = value

    def cast(self, _type):
        return self.value


class Col:
    def __init__(self, name):
        self.name = name

    def __gt__(self, other):
        return (self.name, other)


class F:
    col = staticmethod(Col)
    lit = staticmethod(Lit)
    max = staticmethod(lambda col: col.name)


class Field:
    dataType = "T"


class Frame:
    def __init__(self, columns, rows):
        self.columns = columns
        self.rows = rows

    @property
    def schema(self):
        return {c: Field() for c in self.columns}

    def filter(self, condition):
        name, value = condition
        return Frame(self.columns, [r for r in self.rows if r[name] > value])

    def agg(self, name):
        values = [r[name] for r in self.rows if r.get(name) is not None]
        return Frame(["max"], [{"max": max(values) if values else None}])

    def first(self):
        return list(self.rows[0].values())


TABLES = {name: Frame(t["columns"], t["rows"]) for name, t in spec["tables"].items()}


class Reader:
    def table(self, name):
        return TABLES[name]

    def format(self, _fmt):
        return self

    def load(self, path):
        if path not in TABLES:
            raise Exception("[PATH_NOT_FOUND] Path does not exist: " + path)
        return TABLES[path]


class Catalog:
    def tableExists(self, name):
        return name in TABLES


class Spark:
    read = Reader()
    catalog = Catalog()


scope = {
    "F": F,
    "spark": Spark(),
    "WATERMARK": spec["watermark"],
    "SUMMARY": {"watermark": spec["watermark"]},
    "source_df": Frame(["id", "updated_at"], spec["source"]),
}
exec(spec["code"], scope)
print(json.dumps({
    "watermark": scope["WATERMARK"],
    "summary": scope["SUMMARY"],
    "ids": [r["id"] for r in scope["source_df"].rows],
}))
`;

const SOURCE = [
  { id: 1, updated_at: '2026-01-01T00:00:00' },
  { id: 2, updated_at: '2026-01-02T00:00:00' },
  { id: 3, updated_at: '2026-01-03T00:00:00' },
];
const ICEBERG: HighWaterMarkTarget = {
  format: 'iceberg',
  table: ['finance_catalog', 'analytics', 'transactions'],
};
const ICEBERG_NAME = '`finance_catalog`.`analytics`.`transactions`';
const DELTA: HighWaterMarkTarget = {
  format: 'delta',
  path: 's3://lake/curated/transactions',
};

function run(options: {
  target?: HighWaterMarkTarget;
  watermark: string | null;
  tables: Record<string, { columns: string[]; rows: object[] }>;
}) {
  const code = incrementalFilter('updated_at', options.target).join('\n');
  const printed = runPython(
    HARNESS,
    JSON.stringify({
      code,
      watermark: options.watermark,
      tables: options.tables,
      source: SOURCE,
    }),
  )
    .trim()
    .split('\n');
  // The notebook's own notes come first; the harness prints its JSON last.
  return JSON.parse(printed[printed.length - 1]) as {
    watermark: string | null;
    summary: Record<string, unknown>;
    ids: number[];
  };
}

const written = {
  columns: ['id', 'updated_at'],
  rows: SOURCE.slice(0, 2),
};

describe('incremental loads without a watermark parameter (runs of the job schedule)', () => {
  it('continue after the largest cursor value already in the Iceberg target', () => {
    const out = run({
      target: ICEBERG,
      watermark: null,
      tables: { [ICEBERG_NAME]: written },
    });
    expect(out.ids).toEqual([3]);
    expect(out.watermark).toBe('2026-01-02T00:00:00');
    expect(out.summary).toMatchObject({
      watermark: '2026-01-02T00:00:00',
      watermark_source: 'target',
    });
  });

  it('continue after the largest cursor value of a Delta target read by path', () => {
    const out = run({
      target: DELTA,
      watermark: null,
      tables: { [(DELTA as { path: string }).path]: written },
    });
    expect(out.ids).toEqual([3]);
  });

  it('keep the watermark the backend passed, even when the target holds later rows', () => {
    const out = run({
      target: ICEBERG,
      watermark: '2026-01-01T00:00:00',
      tables: { [ICEBERG_NAME]: written },
    });
    expect(out.ids).toEqual([2, 3]);
    expect(out.summary.watermark_source).toBe('parameter');
  });

  it.each([
    ['no Iceberg table yet', ICEBERG, {}],
    ['no Delta folder yet', DELTA, {}],
    [
      'a target that aggregated the cursor away',
      ICEBERG,
      { [ICEBERG_NAME]: { columns: ['day', 'amount'], rows: [] } },
    ],
    [
      'an empty target',
      ICEBERG,
      { [ICEBERG_NAME]: { columns: ['id', 'updated_at'], rows: [] } },
    ],
  ])('read every row when there is %s', (_case, target, tables) => {
    const out = run({ target, watermark: null, tables });
    expect(out.ids).toEqual([1, 2, 3]);
    expect(out.watermark).toBeNull();
  });

  it('without a target to look at, read every row as before', () => {
    const out = run({ watermark: null, tables: {} });
    expect(out.ids).toEqual([1, 2, 3]);
    expect(out.summary.watermark_source).toBeUndefined();
  });
});
