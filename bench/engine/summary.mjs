// Prints the engine benchmark's figures from results.jsonl (one JSON line per phase and round):
// each round's ratio, and the median ratio with its spread (lowest to highest), against targets.
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8')
  .trim()
  .split('\n')
  .map(l => JSON.parse(l));
const fmt = n => Math.round(n).toLocaleString('en-US');
const rate = r => r.rows / r.seconds;

/** The median of numbers (the mean of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Rounds holding both phases: { round, base, measured }. */
function pairs(basePhase, measuredPhase) {
  const byRound = new Map();
  for (const line of lines) {
    if (!line.round) continue;
    if (!byRound.has(line.round)) byRound.set(line.round, {});
    byRound.get(line.round)[line.phase] = line;
  }
  return [...byRound.entries()]
    .filter(([, p]) => p[basePhase] && p[measuredPhase])
    .sort(([a], [b]) => a - b)
    .map(([round, p]) => ({
      round,
      base: p[basePhase],
      measured: p[measuredPhase],
    }));
}

function table(rows) {
  for (const r of rows)
    console.log(
      `  ${String(r[0]).padEnd(34)}${r
        .slice(1)
        .map(c => String(c).padStart(14))
        .join('')}`,
    );
}

/** Prints a comparison's rounds and its median ratio; returns the median. */
function compare(title, rounds, measuredRate, target, labels) {
  console.log(`\n${title}`);
  const rows = [['round', ...labels, 'ratio']];
  const ratios = [];
  for (const { round, base, measured } of rounds) {
    const ratio = measuredRate(measured) / rate(base);
    ratios.push(ratio);
    rows.push([
      `${round} (${round % 2 ? 'floor first' : 'engine first'})`,
      `${base.seconds.toFixed(2)} s`,
      `${measured.seconds.toFixed(2)} s`,
      fmt(measured.maxRssMb ?? 0) + ' MB',
      ratio.toFixed(2),
    ]);
  }
  table(rows);
  const m = median(ratios);
  const spread = `${Math.min(...ratios).toFixed(2)}–${Math.max(
    ...ratios,
  ).toFixed(2)}`;
  console.log(
    `  median ratio ${m.toFixed(2)} (spread ${spread}, ${
      ratios.length
    } rounds); target >= ${target.toFixed(2)} as a median: ${
      m >= target ? 'met' : 'NOT met'
    }`,
  );
  return m;
}

console.log('\nEngine benchmark');
const batch = pairs('floor', 'engine');
if (batch.length) {
  const rows = batch[0].measured.rows;
  compare(
    `Batch pipeline (filter, aggregate, completeness) over ${fmt(
      rows,
    )} CSV rows: local engine -> Iceberg against DuckDB SQL -> Parquet (the floor)`,
    batch,
    rate,
    0.9,
    ['floor', 'engine', 'engine RSS'],
  );
  console.log(
    `  engine steps (last round): ${batch.at(-1).measured.logs.join(' | ')}`,
  );
}

const extraction = pairs('mariadb-cli', 'engine-mariadb');
if (extraction.length) {
  const load = lines.find(l => l.phase === 'mariadb-load');
  compare(
    `MariaDB extraction, ${fmt(extraction[0].measured.rowsRead)} rows${
      load ? ` (loaded in ${load.seconds.toFixed(1)} s)` : ''
    }: engine read + Iceberg write against mariadb --batch > file`,
    extraction,
    em => em.rowsRead / em.seconds,
    0.8,
    ['CLI', 'engine', 'engine RSS'],
  );
  const reads = extraction.map(
    ({ base, measured }) =>
      measured.rowsRead / measured.readSeconds / rate(base),
  );
  console.log(
    `  the read alone (into DuckDB): median ${median(reads).toFixed(
      2,
    )} of the CLI`,
  );
}

const loads = lines
  .filter(r => r.load1 !== undefined)
  .map(r => `${r.phase}#${r.round} ${r.load1}`);
if (loads.length)
  console.log(`\nLoad average (1 min) after each phase: ${loads.join(', ')}`);
