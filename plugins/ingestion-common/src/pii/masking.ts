import { deriveColumnLineage } from '../lineage/columnLineage';
import type { PiiType } from '../lineage/catalogExport';
import type { MaskTransform, PipelineSpec } from '../spec/pipelineSpec';

/**
 * The product brief's governance policy (`pii_detection.actions`): `mask_in_non_production`,
 * `encrypt_at_rest`, `audit_access`. This file is the first action; encryption at rest is the
 * storage's job (bucket or disk encryption), access is audited by the backend.
 */

/** Environments whose runs write PII in clear. @public */
export const PII_CLEAR_ENVIRONMENTS: readonly string[] = ['production'];

/**
 * How PII columns are masked outside production: the spec's `mask` method `hash` (SHA-256 hex),
 * which keeps equal values equal, so joins, distinct counts and dedupe still behave as in
 * production while no value can be read back.
 * @public
 */
export const PII_MASK_METHOD: MaskTransform['method'] = 'hash';

/** Whether runs in an environment must mask the PII they write. @public */
export function masksPii(environment: string): boolean {
  return !PII_CLEAR_ENVIRONMENTS.includes(environment);
}

/** Why a column is masked: known from the table, or found in the run's staged rows. @public */
export interface PiiMaskedColumn {
  column: string;
  types: PiiType[];
  /** `table`: the target table's tags (scans, discovery); `staged`: this run's output before commit. */
  source: 'table' | 'staged';
}

/** The governance mask transform over the given columns. @public */
export function piiMaskTransform(columns: string[]): MaskTransform {
  return { type: 'mask', columns, method: PII_MASK_METHOD };
}

/** Columns some `mask` transform of the spec already hides (any method). */
function maskedBySpec(spec: PipelineSpec): Set<string> {
  return new Set(
    spec.transformations.flatMap(t => (t.type === 'mask' ? t.columns : [])),
  );
}

/**
 * The output columns the spec may produce: all named ones when a `select` or `aggregate` fixes
 * the output, else any column except those renamed away. A known PII column the spec no longer
 * writes must not be masked (the engine would reject a mask of a missing column).
 */
function mayOutput(spec: PipelineSpec): (column: string) => boolean {
  const lineage = deriveColumnLineage(spec);
  const named = new Set(lineage.columns.map(c => c.column));
  if (lineage.passthrough.datasets.length === 0) {
    return column => named.has(column);
  }
  const excluded = new Set(lineage.passthrough.excluded);
  return column => named.has(column) || !excluded.has(column);
}

/**
 * The spec a run executes: in an environment that masks PII, the pipeline's spec with one last
 * `mask` transform over the target's known PII columns that it writes and does not mask itself.
 * Pure, so the local engine, generated notebooks and previews all mask the same columns the
 * same way. `masked` lists what was added (empty in production).
 * @public
 */
export function withPiiMasking(
  spec: PipelineSpec,
  environment: string,
  known: Record<string, PiiType[]>,
): { spec: PipelineSpec; masked: PiiMaskedColumn[] } {
  if (!masksPii(environment)) return { spec, masked: [] };
  const already = maskedBySpec(spec);
  const writes = mayOutput(spec);
  const masked = Object.keys(known)
    .filter(column => !already.has(column) && writes(column))
    .sort()
    .map(column => ({
      column,
      types: known[column],
      source: 'table' as const,
    }));
  if (masked.length === 0) return { spec, masked };
  return {
    spec: {
      ...spec,
      transformations: [
        ...spec.transformations,
        piiMaskTransform(masked.map(m => m.column)),
      ],
    },
    masked,
  };
}

/** A run log line that says which columns were masked and why. @public */
export function describePiiMasking(
  masked: PiiMaskedColumn[],
  environment: string,
): string {
  const list = masked
    .map(
      m =>
        `${m.column} (${m.types.join(', ') || 'pii'}, ${
          m.source === 'table'
            ? 'tagged on the target table'
            : "found in this run's staged rows"
        })`,
    )
    .join(', ');
  return `Masked PII columns with ${PII_MASK_METHOD} because the organization's environment is ${environment}, not production (governance policy mask_in_non_production): ${list}`;
}
