import { createHash } from 'node:crypto';

/** Stable JSON (sorted keys) so equal specs hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    // Keys with undefined values are left out, as JSON leaves them out: a spec hashes the same
    // before and after a trip through the API.
    return `{${Object.keys(value)
      .filter(key => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map(
        key =>
          `${JSON.stringify(key)}:${canonicalJson(
            (value as Record<string, unknown>)[key],
          )}`,
      )
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * SHA-256 (hex) of a pipeline spec, independent of key order: what versions are compared by, and
 * what a deployment records so the engine can tell whether a deployed job runs the spec it would.
 *
 * @public
 */
export function hashPipelineSpec(spec: unknown): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}
