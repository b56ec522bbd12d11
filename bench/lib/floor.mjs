// The database floor of an API request: the SQL the backend sent (captured by instrument.cjs),
// with its parameters written in, run with psql (sequentially: latency) and pgbench (as many
// clients as the backend's pool: the database's throughput ceiling for that query).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const literal = v => {
  switch (v.type) {
    case 'null':
      return 'NULL';
    case 'number':
      return v.value;
    case 'boolean':
      return v.value;
    case 'timestamptz':
      return `'${v.value}'::timestamptz`;
    case 'array':
      return `ARRAY[${v.value.map(literal).join(', ')}]`;
    default:
      return `'${String(v.value).replace(/'/g, "''")}'`;
  }
};

/** The captured SQL text with `$n` placeholders replaced by the captured values. */
export function inlineSql(query) {
  return query.text.replace(/\$(\d+)/g, (_, n) => {
    const value = query.values[Number(n) - 1];
    if (!value)
      throw new Error(`no value captured for $${n} in: ${query.text}`);
    return literal(value);
  });
}

function run(command, args, options) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status}): ${
        result.stderr || result.stdout
      }`,
    );
  }
  return result.stdout;
}

export function createFloor({ pg, database }) {
  const connection = ['-h', pg.host, '-p', String(pg.port), '-U', pg.user];
  const env = { ...process.env, PGPASSWORD: pg.password ?? '' };
  const psql = (input, extra = []) =>
    run(
      'psql',
      [
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        ...connection,
        '-d',
        database,
        ...extra,
      ],
      {
        input,
        env,
      },
    );

  return {
    /** EXPLAIN ANALYZE: execution and planning time, and the plan's shape. */
    explain(sql) {
      const out = psql(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql};\n`, [
        '-A',
        '-t',
      ]);
      const [explained] = JSON.parse(out);
      const text = psql(`EXPLAIN (ANALYZE, BUFFERS) ${sql};\n`, ['-A', '-t']);
      const shape = [];
      const walk = (node, depth) => {
        const what = [node['Node Type']];
        if (node['Scan Direction'] === 'Backward') what.push('Backward');
        if (node['Index Name']) what.push(`using ${node['Index Name']}`);
        else if (node['Relation Name'])
          what.push(`on ${node['Relation Name']}`);
        shape.push(
          `${'  '.repeat(depth)}${what.join(' ')} (rows ${
            node['Actual Rows']
          }×${node['Actual Loops']})`,
        );
        for (const child of node.Plans ?? []) walk(child, depth + 1);
      };
      walk(explained.Plan, 0);
      const buffers =
        explained.Plan['Shared Hit Blocks'] +
        explained.Plan['Shared Read Blocks'];
      return {
        executionMs: explained['Execution Time'],
        planningMs: explained['Planning Time'],
        sharedBuffers: buffers,
        shape,
        text,
      };
    },

    /** Client-side time of `times` sequential runs of the query in one psql session. */
    timed(sql, times) {
      const script = [
        '\\timing on',
        '\\o /dev/null',
        ...Array(times).fill(`${sql};`),
      ].join('\n');
      const out = psql(`${script}\n`);
      const samples = [...out.matchAll(/Time: ([\d.]+) ms/g)].map(m =>
        Number(m[1]),
      );
      samples.sort((a, b) => a - b);
      const at = q =>
        samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
      return {
        runs: samples.length,
        p50Ms: at(0.5),
        p99Ms: at(0.99),
        minMs: samples[0],
      };
    },

    /** pgbench with `clients` connections for `seconds`: transactions per second and latency. */
    pgbench(sql, { clients, seconds, file }) {
      fs.writeFileSync(file, `${sql};\n`);
      const out = run(
        'pgbench',
        [
          '-n',
          '-M',
          'extended',
          '-c',
          String(clients),
          '-j',
          '2',
          '-T',
          String(seconds),
          '-f',
          file,
          ...connection,
          database,
        ],
        { env },
      );
      const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1]);
      const latency = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1]);
      return { clients, seconds, tps, latencyMeanMs: latency };
    },
  };
}
