import { promises as fs } from 'node:fs';
import { quoteLiteral } from './sql';
import { RunWorkspace } from './workspace';

/**
 * Counting a source's rows without reading it twice. A CSV or JSON source must be parsed to be
 * counted, and a separate `count(*)` costs nearly half of a whole run; so the run's one query
 * is profiled (DuckDB's JSON profile, written to a file since the Node binding does not expose
 * the profiling API), and the row count is the number of rows the source's scan operator
 * produced.
 *
 * That number is the source's row count only when the scan read every row and nothing was
 * filtered inside it; when that cannot be told from the profile (no such scan, several,
 * a filter pushed into the scan), the answer is undefined and the caller counts the usual way.
 */

interface ProfileNode {
  operator_name?: string;
  operator_type?: string;
  operator_cardinality?: number;
  extra_info?: Record<string, unknown>;
  children?: ProfileNode[];
}

function scansOf(node: ProfileNode, operator: string, found: ProfileNode[]) {
  const name = (node.operator_name ?? node.operator_type ?? '').trim();
  if (name.toUpperCase() === operator) found.push(node);
  for (const child of node.children ?? []) scansOf(child, operator, found);
  return found;
}

/** The rows the only `operator` scan of a profile produced, if that is a full read. */
export function fullScanRows(
  profile: ProfileNode,
  operator: string,
): number | undefined {
  const scans = scansOf(profile, operator, []);
  if (scans.length !== 1) return undefined;
  const [scan] = scans;
  const filtered = Object.keys(scan.extra_info ?? {}).some(key =>
    /filter/i.test(key),
  );
  const rows = scan.operator_cardinality;
  if (filtered || typeof rows !== 'number' || !Number.isFinite(rows)) {
    return undefined;
  }
  return rows;
}

/**
 * Runs `sql` with profiling on and returns how many rows its `operator` scan read in full
 * (undefined when the profile cannot tell).
 */
export async function runCountingScan(
  workspace: RunWorkspace,
  sql: string,
  operator: string,
): Promise<number | undefined> {
  const { connection } = workspace;
  // DuckDB accepts a `.txt` file for any profile format.
  const file = workspace.file('profile.txt');
  await connection.run(`SET profiling_output = ${quoteLiteral(file)}`);
  await connection.run(`SET enable_profiling = 'json'`);
  try {
    await connection.run(sql);
  } finally {
    await connection.run('RESET enable_profiling');
  }
  try {
    const profile = JSON.parse(await fs.readFile(file, 'utf8'));
    await fs.rm(file, { force: true });
    return fullScanRows(profile, operator);
  } catch {
    return undefined;
  }
}
