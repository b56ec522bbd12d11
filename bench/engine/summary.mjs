// Prints the engine benchmark's figures from results.jsonl (one JSON line per phase).
import { readFileSync } from 'node:fs';

const results = Object.fromEntries(
  readFileSync(process.argv[2], 'utf8')
    .trim()
    .split('\n')
    .map(l => JSON.parse(l))
    .map(r => [r.phase, r]),
);
const fmt = n => Math.round(n).toLocaleString('en-US');
const rate = r => r.rows / r.seconds;
const {
  floor,
  engine,
  'mariadb-cli': cli,
  'engine-mariadb': em,
  'mariadb-load': load,
} = results;

console.log('\nEngine benchmark');
console.log(
  `Batch pipeline (filter, aggregate, completeness) over ${fmt(
    engine.rows,
  )} CSV rows:`,
);
const rows = [
  ['', 'seconds', 'rows/s', 'peak RSS MB', 'ratio to floor'],
  [
    'floor: DuckDB SQL -> Parquet',
    floor.seconds.toFixed(2),
    fmt(rate(floor)),
    fmt(floor.maxRssMb),
    '1.00',
  ],
  [
    'local engine -> Iceberg',
    engine.seconds.toFixed(2),
    fmt(rate(engine)),
    fmt(engine.maxRssMb),
    (rate(engine) / rate(floor)).toFixed(2),
  ],
];
for (const r of rows)
  console.log(
    `  ${r[0].padEnd(30)}${r
      .slice(1)
      .map(c => String(c).padStart(15))
      .join('')}`,
  );
console.log(
  `  target >= 0.80 of the floor: ${
    rate(engine) / rate(floor) >= 0.8 ? 'met' : 'NOT met'
  }`,
);
console.log(`  engine steps: ${engine.logs.join(' | ')}`);

if (cli && em) {
  console.log(
    `\nMariaDB extraction, ${fmt(
      em.rows,
    )} rows (loaded in ${load.seconds.toFixed(
      1,
    )} s with LOAD DATA LOCAL INFILE):`,
  );
  const readRate = em.rowsRead / em.readSeconds;
  const m = [
    ['', 'seconds', 'rows/s', 'peak RSS MB', 'ratio to CLI'],
    [
      'floor: mariadb --batch > file',
      cli.seconds.toFixed(2),
      fmt(rate(cli)),
      '-',
      '1.00',
    ],
    [
      'engine: read into DuckDB',
      em.readSeconds.toFixed(2),
      fmt(readRate),
      fmt(em.maxRssMb),
      (readRate / rate(cli)).toFixed(2),
    ],
    [
      'engine: read + Iceberg write',
      em.seconds.toFixed(2),
      fmt(em.rowsRead / em.seconds),
      fmt(em.maxRssMb),
      (em.rowsRead / em.seconds / rate(cli)).toFixed(2),
    ],
  ];
  for (const r of m)
    console.log(
      `  ${r[0].padEnd(30)}${r
        .slice(1)
        .map(c => String(c).padStart(15))
        .join('')}`,
    );
}
const loads = Object.values(results)
  .filter(r => r.load1 !== undefined)
  .map(r => `${r.phase} ${r.load1}`);
if (loads.length)
  console.log(`\nLoad average (1 min) after each phase: ${loads.join(', ')}`);
