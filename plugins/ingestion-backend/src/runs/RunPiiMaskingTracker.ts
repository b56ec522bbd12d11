import {
  masksPii,
  piiTypesOfName,
  type PiiMaskedColumn,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type {
  EngineRunContext,
  EngineRunResult,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { RunPiiMasking } from './RunResultRecorder';

/**
 * What the run driver remembers about the PII columns its runs masked (in this process): the
 * columns each context's spec masks and those masked after a review of staged output.
 */
export class RunPiiMaskingTracker {
  /** The columns each context's spec masks because the target table tags them as PII. */
  readonly #maskedBySpec = new WeakMap<EngineRunContext, PiiMaskedColumn[]>();
  /** Columns masked after a review of staged output, by run (for their PII kinds). */
  readonly #maskedStaged = new Map<string, PiiMaskedColumn[]>();

  /** Remembers the columns the context's spec masks. */
  setMaskedBySpec(context: EngineRunContext, masked: PiiMaskedColumn[]) {
    this.#maskedBySpec.set(context, masked);
  }

  /** The columns the context's spec masks (none if it was built elsewhere). */
  maskedBySpec(context: EngineRunContext): PiiMaskedColumn[] {
    return this.#maskedBySpec.get(context) ?? [];
  }

  /** Remembers the columns the review of a run's staged output masked. */
  setMaskedStaged(runId: string, masked: PiiMaskedColumn[]) {
    if (this.#maskedStaged.size > 10_000) this.#maskedStaged.clear();
    this.#maskedStaged.set(runId, masked);
  }

  /** Forgets a run that finished. */
  forget(runId: string) {
    this.#maskedStaged.delete(runId);
  }

  /**
   * What a succeeded run masked: the columns its spec masked for the governance policy, and
   * outside production every other PII column its engine found in the staged rows (which the
   * review masked; after a restart their kinds are read from their names).
   */
  piiMasking(
    runId: string,
    context: EngineRunContext,
    result: EngineRunResult | undefined,
  ): RunPiiMasking | undefined {
    const environment = context.organization.environment;
    if (!result || !masksPii(environment)) return undefined;
    const columns = [...(this.#maskedBySpec.get(context) ?? [])];
    const staged = this.#maskedStaged.get(runId) ?? [];
    for (const column of result.tables.flatMap(t => t.piiColumns ?? [])) {
      if (columns.some(m => m.column === column)) continue;
      columns.push(
        staged.find(m => m.column === column) ?? {
          column,
          types: piiTypesOfName(column),
          source: 'staged',
        },
      );
    }
    return columns.length > 0 ? { environment, columns } : undefined;
  }
}

/** The result with the masked columns tagged as PII: masked values no longer look like PII. */
export function withMaskedPiiTags<T extends EngineRunResult>(
  result: T,
  piiMasking: RunPiiMasking | undefined,
): T {
  const masked = new Set(piiMasking?.columns.map(m => m.column));
  return {
    ...result,
    tables: result.tables.map(table => ({
      ...table,
      piiColumns: [...new Set([...(table.piiColumns ?? []), ...masked])],
    })),
  };
}
