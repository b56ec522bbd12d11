// Reads an Iceberg table with icebird, an independent reader, and prints its
// rows as JSON. Runs as a child process because icebird is ESM-only, which
// Jest's CommonJS runtime cannot import.
//
// Usage: node readWithIcebird.mjs '{"serverUrl":…,"tableUrl":"file:///…","metadataFileName"?:…}'
import { icebergRead } from 'icebird';

const { serverUrl, tableUrl, metadataFileName } = JSON.parse(process.argv[2]);

// Tables hold absolute file:// locations; icebird fetches every location as
// is, so route file URLs to the test's HTTP server over the same folder.
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  return realFetch(
    url.startsWith('file://') ? serverUrl + new URL(url).pathname : input,
    init,
  );
};

// JSON cannot carry BigInt, Date or bytes: tag them for the test to revive.
function tag(_key, value) {
  if (typeof value === 'bigint') return { $bigint: String(value) };
  if (value instanceof Uint8Array) {
    return { $bytes: Buffer.from(value).toString('base64') };
  }
  return value;
}

try {
  const rows = await icebergRead({ tableUrl, metadataFileName });
  // Dates are turned into strings by toJSON before the replacer sees them.
  const tagged = rows.map(row =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [
        k,
        v instanceof Date ? { $date: v.toISOString() } : v,
      ]),
    ),
  );
  process.stdout.write(JSON.stringify(tagged, tag));
} catch (error) {
  process.stderr.write(String(error?.message ?? error));
  process.exitCode = 1;
}
