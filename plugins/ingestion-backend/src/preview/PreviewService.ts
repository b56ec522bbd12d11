import type {
  BackstageCredentials,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import {
  detectPii,
  type PiiMaskedColumn,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type {
  EngineRunContext,
  IngestionEngine,
  ResolvedConnection,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { randomUUID } from 'node:crypto';
import { actorOf } from '../audit/AuditLog';
import {
  LocalEngine,
  PreviewSourceError,
  PreviewStepError,
  RunCancelledError,
  type PipelinePreview,
} from '../engines/local';
import { ruleLabel } from '../engines/local/quality';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { PiiMasking } from '../pii/PiiMasking';
import { engineOrganization } from '../runs/RunContextFactory';
import { SpecProblemsError } from '../spec/SpecProblemsError';
import type { SpecPreview } from '@ingestion-for-backstage/plugin-ingestion-common';
import { PreviewTimeoutError, SourceUnreadableError } from './errors';

export type { SpecPreview };

/** Rows read when the request does not say. */
export const DEFAULT_SAMPLE_ROWS = 100;
/** The most rows a preview reads. */
export const MAX_SAMPLE_ROWS = 1000;
/** The time box of a preview when `ingestion.preview.timeoutSeconds` is not set. */
export const DEFAULT_PREVIEW_TIMEOUT_SECONDS = 30;

/** What the preview needs of the rest of the backend. */
export interface PreviewServiceOptions {
  /** Authorizes (the right to create pipelines in the organization) and validates the spec. */
  pipelines: {
    validateSpec(
      credentials: BackstageCredentials,
      input: { spec: unknown; organization?: string },
    ): Promise<PipelineSpec>;
  };
  directory: OrganizationDirectory;
  /** The installed `local` engine (engines are registered after the services are made). */
  engine(): IngestionEngine | undefined;
  resolveConnection(
    organizationId: string,
    name: string,
  ): Promise<ResolvedConnection>;
  masking: Pick<PiiMasking, 'effectiveSpec'>;
  /** The time box; default {@link DEFAULT_PREVIEW_TIMEOUT_SECONDS} seconds. */
  timeoutMs?: number;
  /** Previews this backend runs at once; default {@link DEFAULT_MAX_CONCURRENT_PREVIEWS}. */
  maxConcurrent?: number;
}

/** Previews a backend runs at once when `ingestion.preview.maxConcurrent` is not set. */
export const DEFAULT_MAX_CONCURRENT_PREVIEWS = 4;

/** Reads `ingestion.preview.maxConcurrent` (an integer from 1 to 64). */
export function readMaxConcurrentPreviews(config: RootConfigService): number {
  const value =
    config.getOptionalNumber('ingestion.preview.maxConcurrent') ??
    DEFAULT_MAX_CONCURRENT_PREVIEWS;
  if (!Number.isInteger(value) || value < 1 || value > 64) {
    throw new Error(
      `ingestion.preview.maxConcurrent must be an integer from 1 to 64, got ${value}`,
    );
  }
  return value;
}

/** Reads `ingestion.preview.timeoutSeconds` (a positive number; fractions allowed). */
export function readPreviewTimeoutMs(config: RootConfigService): number {
  const seconds =
    config.getOptionalNumber('ingestion.preview.timeoutSeconds') ??
    DEFAULT_PREVIEW_TIMEOUT_SECONDS;
  if (!(seconds > 0) || seconds > 3600) {
    throw new Error(
      `ingestion.preview.timeoutSeconds must be a number of seconds above 0 and at most 3600, got ${seconds}`,
    );
  }
  return Math.max(1, Math.round(seconds * 1000));
}

/**
 * Preview on a sample: a draft spec runs on the first N rows of its source with the local
 * engine's own run code, and the output rows, their schema, the PII found and each quality rule's
 * result come back. Nothing is written or recorded (no table, commit, run, lineage, cost), so no
 * quota but the API rate limit applies; the run is time-boxed and its workspace dropped.
 */
export class PreviewService {
  /** Previews running in this backend: they share its DuckDB with the runs. */
  private running = 0;

  private constructor(private readonly options: PreviewServiceOptions) {}

  static create(options: PreviewServiceOptions): PreviewService {
    return new PreviewService(options);
  }

  async preview(
    credentials: BackstageCredentials,
    input: {
      organization: string;
      spec: unknown;
      sampleRows?: number;
      /** Aborted when the caller goes away. */
      signal?: AbortSignal;
    },
  ): Promise<SpecPreview> {
    // 404 outside the organization, 403 without the right to create pipelines, 400 with the
    // spec's problems: the same checks as specs/validate with an organization.
    const spec = await this.options.pipelines.validateSpec(credentials, {
      spec: input.spec,
      organization: input.organization,
    });
    const sampleRows = input.sampleRows ?? DEFAULT_SAMPLE_ROWS;
    if (
      !Number.isInteger(sampleRows) ||
      sampleRows < 1 ||
      sampleRows > MAX_SAMPLE_ROWS
    ) {
      throw new InputError(
        `sampleRows: must be an integer from 1 to ${MAX_SAMPLE_ROWS}`,
      );
    }
    if (spec.pipeline_type === 'streaming' || spec.source.type === 'kafka') {
      throw new SpecProblemsError([
        spec.source.type === 'kafka'
          ? {
              path: 'source.type',
              message:
                'Kafka sources cannot be previewed: they run on Databricks only',
            }
          : {
              path: 'pipeline_type',
              message:
                'Streaming pipelines cannot be previewed: they run on Databricks only',
            },
      ]);
    }
    const engine = this.options.engine();
    if (!(engine instanceof LocalEngine)) {
      throw new ServiceUnavailableError(
        "Previews run on the plugin's local engine, which this backend does not have",
      );
    }
    const organization = this.options.directory.get(input.organization);
    // The masks a run of this organization applies: the target table's known PII columns (the
    // draft has no pipeline yet, so only the table it names counts).
    const governed = await this.options.masking.effectiveSpec({
      organizationId: organization.id,
      environment: organization.environment,
      pipelineId: '',
      spec,
    });
    const found: Record<string, string[]> = {};
    const maskedColumns = new Set(governed.masked.map(m => m.column));
    const context: EngineRunContext = {
      run: { id: `preview-${randomUUID()}`, attempt: 1, idempotencyToken: '' },
      pipeline: {
        id: 'preview',
        name: 'preview',
        owner: actorOf(credentials),
        version: 0,
      },
      spec: governed.spec,
      organization: engineOrganization(organization),
      resolveConnection: name =>
        this.options.resolveConnection(organization.id, name),
      log: async () => {},
      reviewStagedOutput: async sample => {
        Object.assign(found, detectPii(sample));
        const review = PiiMasking.reviewStaged(
          sample,
          organization.environment,
          [...maskedColumns],
        );
        for (const m of review.masked) maskedColumns.add(m.column);
        return { piiColumns: review.piiColumns, transforms: review.transforms };
      },
    };

    const maxConcurrent =
      this.options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT_PREVIEWS;
    if (this.running >= maxConcurrent) {
      throw new ServiceUnavailableError(
        `${this.running} previews are running on this backend (ingestion.preview.maxConcurrent); try again in a moment`,
      );
    }
    this.running += 1;
    const timeoutMs =
      this.options.timeoutMs ?? DEFAULT_PREVIEW_TIMEOUT_SECONDS * 1000;
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    const left = () => abort.abort();
    input.signal?.addEventListener('abort', left, { once: true });
    const started = Date.now();
    let preview: PipelinePreview;
    try {
      preview = await engine.preview(context, {
        sampleRows,
        signal: abort.signal,
      });
    } catch (error) {
      if (error instanceof RunCancelledError) {
        if (timedOut) {
          throw new PreviewTimeoutError(
            `The preview took longer than ${
              timeoutMs / 1000
            } s (ingestion.preview.timeoutSeconds) and was stopped; try fewer sampleRows`,
          );
        }
        throw new ServiceUnavailableError('The preview was stopped');
      }
      if (error instanceof PreviewSourceError) {
        throw new SourceUnreadableError(error.message);
      }
      if (error instanceof PreviewStepError) {
        throw new SpecProblemsError([
          { path: error.path || 'spec', message: error.message },
        ]);
      }
      throw error;
    } finally {
      this.running -= 1;
      clearTimeout(timer);
      input.signal?.removeEventListener('abort', left);
    }
    return {
      rows: preview.rows,
      schema: preview.columns.map(c => ({
        name: c.name,
        type: c.type,
        // Iceberg, Delta and Parquet targets written by the engines keep every column optional.
        nullable: true,
      })),
      pii: piiEntries(found, governed.masked, maskedColumns),
      quality: preview.quality.map(result => {
        const rule = spec.data_quality[result.ruleIndex];
        return {
          name: rule ? ruleLabel(rule) : result.ruleType,
          type: result.ruleType,
          severity: result.severity,
          passed: result.passed,
          ...(result.observed !== undefined &&
            result.observed !== null && { metric: result.observed }),
          ...(result.threshold !== undefined &&
            result.threshold !== null && { threshold: result.threshold }),
          ...(result.message && { message: result.message }),
        };
      }),
      sampleRows: preview.sampleRows,
      outputRows: preview.outputRows,
      elapsedMs: Date.now() - started,
      truncated: preview.truncated,
    };
  }
}

/** One entry per column and kind: found in the sample, or known of the target table. */
function piiEntries(
  found: Record<string, string[]>,
  known: PiiMaskedColumn[],
  masked: Set<string>,
): SpecPreview['pii'] {
  const kinds = new Map<string, Set<string>>();
  const add = (column: string, types: readonly string[]) => {
    const set = kinds.get(column) ?? new Set<string>();
    for (const type of types.length > 0 ? types : ['tagged']) set.add(type);
    kinds.set(column, set);
  };
  for (const m of known) add(m.column, m.types);
  for (const [column, types] of Object.entries(found)) add(column, types);
  return [...kinds.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([column, set]) =>
      [...set].sort().map(kind => ({
        column,
        kind,
        masked: masked.has(column),
      })),
    );
}
