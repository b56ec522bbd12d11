import { runPython } from '../__testUtils__';
import { HighWaterMarkTarget, incrementalFilter } from './sources';
import { TargetPlan, targetWriter, watermarkMarkerPath } from './targets';

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
# Commit properties by table name or path, newest first: snapshot summaries, userMetadata, marker text.
COMMITS = spec.get("commits", {})


class Rows:
    def __init__(self, values):
        self.values = values

    def select(self, _column):
        return self

    def collect(self):
        return [[v] for v in self.values]


class Reader:
    def table(self, name):
        return TABLES[name]

    def text(self, path):
        if path not in COMMITS:
            raise Exception("[PATH_NOT_FOUND] Path does not exist: " + path)
        return Rows(COMMITS[path])

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

    def sql(self, query):
        # Only called for tables that exist; a table no write recorded anything in has no properties.
        return Rows(next((v for k, v in COMMITS.items() if k in query), []))


scope = {
    "json": json,
    "F": F,
    "spark": Spark(),
    "WATERMARK": spec["watermark"],
    "FULL_REFRESH": spec.get("full_refresh", False),
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
  fullRefresh?: boolean;
  tables: Record<string, { columns: string[]; rows: object[] }>;
  commits?: Record<string, unknown[]>;
}) {
  const code = incrementalFilter('updated_at', options.target).join('\n');
  const printed = runPython(
    HARNESS,
    JSON.stringify({
      code,
      watermark: options.watermark,
      full_refresh: options.fullRefresh ?? false,
      tables: options.tables,
      commits: options.commits ?? {},
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

  it('read every row on a full refresh, whatever the target holds or recorded', () => {
    const out = run({
      target: ICEBERG,
      watermark: null,
      fullRefresh: true,
      tables: { [ICEBERG_NAME]: written },
      commits: {
        [ICEBERG_NAME]: [{ 'ingestion.watermark': '2026-01-02T00:00:00' }],
      },
    });
    expect(out.ids).toEqual([1, 2, 3]);
    expect(out.watermark).toBeNull();
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

describe('high-water marks recorded with the commit', () => {
  const AGGREGATED = { columns: ['day', 'amount'], rows: [] };

  it('continue an aggregated Iceberg target after the mark in its newest snapshot that has one', () => {
    const out = run({
      target: ICEBERG,
      watermark: null,
      tables: { [ICEBERG_NAME]: AGGREGATED },
      commits: {
        [ICEBERG_NAME]: [
          { operation: 'replace' }, // a compaction by another writer records none
          { 'ingestion.watermark': '2026-01-02T00:00:00' },
          { 'ingestion.watermark': '2026-01-01T00:00:00' },
        ],
      },
    });
    expect(out.ids).toEqual([3]);
    expect(out.summary).toMatchObject({
      watermark: '2026-01-02T00:00:00',
      watermark_source: 'commit',
    });
  });

  it('prefer the recorded mark to the largest cursor value the target holds', () => {
    const out = run({
      target: ICEBERG,
      watermark: null,
      tables: { [ICEBERG_NAME]: written },
      commits: {
        [ICEBERG_NAME]: [{ 'ingestion.watermark': '2026-01-01T00:00:00' }],
      },
    });
    expect(out.ids).toEqual([2, 3]);
  });

  it("read Delta's userMetadata and the Parquet marker, skipping text that is not JSON", () => {
    const delta = run({
      target: DELTA,
      watermark: null,
      tables: {},
      commits: {
        [(DELTA as { path: string }).path]: [
          'manual fix',
          null,
          JSON.stringify({
            'ingestion.run-id': 'r1',
            'ingestion.watermark': '2026-01-02T00:00:00',
          }),
        ],
      },
    });
    expect(delta.ids).toEqual([3]);
    const parquetPath = 's3://lake/daily/';
    const parquet = run({
      target: { format: 'parquet', path: parquetPath },
      watermark: null,
      tables: {},
      commits: {
        [watermarkMarkerPath(parquetPath)]: [
          JSON.stringify({ 'ingestion.watermark': '2026-01-01T00:00:00' }),
        ],
      },
    });
    expect(watermarkMarkerPath(parquetPath)).toBe('s3://lake/daily/_watermark');
    expect(parquet.ids).toEqual([2, 3]);
  });
});

/**
 * Runs a target's `write_target` against a stand-in for the DataFrame writers and the session, and returns the
 * commit properties each write carried: write options, session settings at each SQL statement, marker files.
 */
const WRITE_HARNESS = `
import json, sys, types

spec = json.load(sys.stdin)


class DeltaTable:
    @staticmethod
    def isDeltaTable(_session, _path):
        return spec["exists"]


sys.modules["delta"] = types.ModuleType("delta")
sys.modules["delta.tables"] = types.ModuleType("delta.tables")
sys.modules["delta.tables"].DeltaTable = DeltaTable
out = {"options": {}, "sql": [], "files": {}}


class Conf:
    def __init__(self):
        self.values = {}

    def set(self, key, value):
        self.values[key] = value

    def unset(self, key):
        self.values.pop(key, None)


class Session:
    def __init__(self):
        self.conf = Conf()
        self.catalog = self

    def tableExists(self, _name):
        return spec["exists"]

    def sql(self, query):
        out["sql"].append({"query": query.split(" ")[0], "conf": dict(self.conf.values)})

    def createDataFrame(self, rows, _columns):
        return Frame([r[0] for r in rows])


class Writer:
    def __init__(self, frame):
        self.frame = frame

    def using(self, _format):
        return self

    def mode(self, _mode):
        return self

    def coalesce(self, _n):
        return self

    def option(self, key, value):
        out["options"][key] = value
        return self

    def append(self):
        pass

    def overwrite(self, _condition):
        pass

    def parquet(self, path):
        out["files"][path] = "data"

    def text(self, path):
        out["files"][path] = self.frame.rows


class Frame:
    sparkSession = Session()

    def __init__(self, rows=None):
        self.rows = rows

    def createOrReplaceTempView(self, _name):
        pass

    def writeTo(self, _table):
        return Writer(self)

    def coalesce(self, _n):
        return self

    @property
    def write(self):
        return Writer(self)


class F:
    lit = staticmethod(lambda value: value)


scope = {"json": json, "F": F, "RUN_ID": "run-7", "SUMMARY": {"watermark": spec["watermark"]}}
exec(spec["code"], scope)
scope["write_target"](Frame())
out["conf_after"] = Frame.sparkSession.conf.values
print(json.dumps(out))
`;

function write(plan: TargetPlan, exists: boolean, watermark: string | null) {
  const code = targetWriter(plan, {
    streaming: false,
    appId: 'pipeline-1',
  }).join('\n');
  return JSON.parse(
    runPython(WRITE_HARNESS, JSON.stringify({ code, exists, watermark })),
  ) as {
    options: Record<string, string>;
    sql: Array<{ query: string; conf: Record<string, string> }>;
    files: Record<string, unknown>;
    conf_after: Record<string, string>;
  };
}

describe('incremental writes of an aggregated target, then a run of the job schedule', () => {
  const table = ['finance_catalog', 'analytics', 'daily_revenue'];
  const name = '`finance_catalog`.`analytics`.`daily_revenue`';
  const iceberg = (mode: 'append' | 'merge'): TargetPlan => ({
    format: 'iceberg',
    table,
    mode,
    mergeKeys: ['day'],
    partitioning: [],
  });
  const PREFIX = 'spark.sql.iceberg.snapshot-property.';

  /** The snapshot summary Iceberg would record from what the write carried. */
  function summaryOf(wrote: ReturnType<typeof write>) {
    const summary: Record<string, string> = {};
    for (const [key, value] of Object.entries(wrote.options)) {
      summary[key.replace(/^snapshot-property\./, '')] = value;
    }
    for (const { conf } of wrote.sql) {
      for (const [key, value] of Object.entries(conf)) {
        if (key.startsWith(PREFIX)) summary[key.slice(PREFIX.length)] = value;
      }
    }
    return summary;
  }

  it.each([
    ['the first write (CREATE TABLE AS SELECT)', iceberg('append'), false],
    ['an append', iceberg('append'), true],
    ['a merge', iceberg('merge'), true],
  ])(
    '%s records the mark, and the next run reads only newer rows',
    (_case, plan, exists) => {
      const wrote = write(plan, exists, '2026-01-02T00:00:00');
      const summary = summaryOf(wrote);
      expect(summary).toEqual({
        'ingestion.run-id': 'run-7',
        'ingestion.watermark': '2026-01-02T00:00:00',
      });
      // SQL writes' session settings do not leak into later statements.
      expect(wrote.conf_after).toEqual({});

      const next = run({
        target: { format: 'iceberg', table },
        watermark: null,
        tables: { [name]: { columns: ['day', 'revenue'], rows: [] } },
        commits: { [name]: [summary] },
      });
      expect(next.ids).toEqual([3]);
    },
  );

  it('records only the run when there is no mark (a full load)', () => {
    expect(summaryOf(write(iceberg('append'), true, null))).toEqual({
      'ingestion.run-id': 'run-7',
    });
  });

  it('a Parquet write leaves the marker the next run reads, and Delta merges set userMetadata', () => {
    const path = 's3://lake/daily';
    const parquet = write(
      { format: 'parquet', path, mode: 'append', partitionBy: [] },
      true,
      '2026-01-02T00:00:00',
    );
    const marker = parquet.files[watermarkMarkerPath(path)] as string[];
    expect(
      run({
        target: { format: 'parquet', path },
        watermark: null,
        tables: {},
        commits: { [watermarkMarkerPath(path)]: marker },
      }).ids,
    ).toEqual([3]);

    const delta = write(
      {
        format: 'delta',
        path,
        mode: 'merge',
        mergeKeys: ['day'],
        partitionBy: [],
      },
      true,
      '2026-01-02T00:00:00',
    );
    const metadata =
      delta.sql[0].conf['spark.databricks.delta.commitInfo.userMetadata'];
    expect(JSON.parse(metadata)).toEqual({
      'ingestion.run-id': 'run-7',
      'ingestion.watermark': '2026-01-02T00:00:00',
    });
  });
});
