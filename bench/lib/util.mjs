// Helpers the benchmarks share: command-line options, logging, files Prettier accepts, tables.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/**
 * `--name=value` (or `--name`, meaning true) arguments as an object; `--help` prints `readme`.
 * Returns `opt(name, env, fallback)`: the flag, else the environment variable, else the fallback.
 */
export function parseOptions(argv, readme) {
  const args = Object.fromEntries(
    argv.map(a => {
      const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
      if (!m) {
        console.error(
          `unknown argument ${a}; see ${path.relative(process.cwd(), readme)}`,
        );
        process.exit(2);
      }
      return [m[1], m[2] ?? 'true'];
    }),
  );
  if (args.help) {
    console.log(fs.readFileSync(readme, 'utf8'));
    process.exit(0);
  }
  return (name, env, fallback) => args[name] ?? process.env[env] ?? fallback;
}

/** PostgreSQL of the benchmarks: the local server unless PGHOST, PGPORT, PGUSER, PGPASSWORD say. */
export function pgFromEnv() {
  return {
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    user: process.env.PGUSER ?? 'postgres',
    password: process.env.PGPASSWORD ?? 'postgres',
  };
}

/**
 * Files under bench/.work are not committed, but `prettier --check .` (part of ./portal test)
 * reads them too: generated YAML and JSON are written the way the repository's Prettier wants.
 */
export function writeFormatted(file, text) {
  let out = text;
  try {
    const prettier = require('prettier');
    out = prettier.format(text, {
      ...(prettier.resolveConfig.sync(file) ?? {}),
      filepath: file,
    });
  } catch {
    // no Prettier: the content is the same, only the layout differs
  }
  fs.writeFileSync(file, out);
}

export const createLog =
  (T0 = performance.now()) =>
  message =>
    console.log(
      `[${((performance.now() - T0) / 1000)
        .toFixed(1)
        .padStart(6)}s] ${message}`,
    );

export const f = (v, digits = 1) =>
  v === undefined || v === null || Number.isNaN(v)
    ? '-'
    : Number(v).toFixed(digits);
export function table(headers, rows) {
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map(r => String(r[i]).length)),
  );
  const line = cells =>
    cells
      .map((c, i) =>
        i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]),
      )
      .join('  ');
  return [
    line(headers),
    widths.map(w => '-'.repeat(w)).join('  '),
    ...rows.map(line),
  ].join('\n');
}

export async function getJson(url, token) {
  const started = performance.now();
  const response = await fetch(url, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`GET ${url}: ${response.status} ${text.slice(0, 300)}`);
  return {
    body: JSON.parse(text),
    headers: response.headers,
    ms: performance.now() - started,
  };
}
