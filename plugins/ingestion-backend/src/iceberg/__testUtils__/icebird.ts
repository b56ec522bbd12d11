import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WarehouseServer } from './warehouseServer';

const run = promisify(execFile);

const SCRIPT = join(__dirname, 'readWithIcebird.mjs');

function revive(_key: string, value: any): unknown {
  if (value && typeof value === 'object') {
    if ('$bigint' in value) return BigInt(value.$bigint);
    if ('$date' in value) return new Date(value.$date);
    if ('$bytes' in value) return Buffer.from(value.$bytes, 'base64');
  }
  return value;
}

/**
 * Reads a table's rows with icebird (in a child `node` process, see
 * readWithIcebird.mjs) through `server`. BIGINT values come back as BigInt,
 * timestamps as millisecond Dates, binary as Buffer, decimals as numbers.
 */
export async function readWithIcebird(
  server: WarehouseServer,
  tableUrl: string,
  options: { metadataFileName?: string } = {},
): Promise<Array<Record<string, unknown>>> {
  const args = JSON.stringify({ serverUrl: server.url, tableUrl, ...options });
  try {
    const { stdout } = await run(process.execPath, [SCRIPT, args], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout, revive);
  } catch (error: any) {
    throw new Error(`icebird failed: ${error.stderr || error.message}`);
  }
}
