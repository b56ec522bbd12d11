import type {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { DuckDBInstance } from '@duckdb/node-api';
import { validatePipelineSpec } from '@ingestion-for-backstage/plugin-ingestion-common';
import type {
  EngineRunContext,
  EngineRunState,
  IngestionEngine,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureUsage } from '../../costs/measureUsage';
import { EgressGuard } from '../../egress';
import { IcebergSqlCatalog, IcebergTableWriter } from '../../iceberg';
import {
  previewPipeline,
  type PipelinePreview,
  type PreviewOptions,
} from './previewPipeline';
import { runPipeline, RunHost } from './runPipeline';
import { runStream } from './streaming';
import type { S3Settings } from './sources';
import type { RunWorkspace } from './workspace';

/** Options of {@link LocalEngine}. */
export interface LocalEngineOptions {
  /** The plugin database, holding the Iceberg SQL catalog. */
  database: Knex;
  logger: LoggerService;
  /** Relative storage roots are resolved against this folder; default the process's. */
  workingDirectory?: string;
  /** Rows per batch when streaming from databases; default 10,000. */
  batchSize?: number;
  /** S3 settings of organizations whose storage is on S3. */
  organizationS3?: (organizationId: string) => S3Settings | undefined;
  /**
   * Decides which hosts sources may connect to, per organization. Default: a guard without
   * allow-lists (public addresses only).
   */
  egress?: EgressGuard;
  duckdb?: {
    threads?: number;
    memoryLimit?: string;
    /** Where DuckDB spills intermediate results; default `<os tmp>/ingestion-local-engine`. */
    tempDirectory?: string;
  };
  /** Finished runs are remembered this long for polling; default one hour. */
  retainFinishedMs?: number;
}

interface RunEntry {
  state: EngineRunState;
  abort: AbortController;
  workspace?: RunWorkspace;
  done: Promise<void>;
  finishedAt?: number;
  /** Stopped by `close`: not over, the next backend runs it again (a stream resumes). */
  stoppedForShutdown?: boolean;
}

const FINAL = new Set(['succeeded', 'failed', 'quality_failed', 'cancelled']);

/**
 * The local (embedded) engine: DuckDB in this process. `submit` starts the run in the background
 * and returns at once; `poll` reports its state; `cancel` stops it between steps (and interrupts
 * the running query). State lives in memory only: after a restart `poll` answers `unknown` and
 * the run driver submits again, which is safe because every write is exactly-once per run id.
 *
 * One DuckDB instance serves all runs; each run gets its own connection and a database file in
 * its organization's temporary folder, removed when the run ends.
 */
export class LocalEngine implements IngestionEngine {
  readonly id = 'local';

  readonly #options: LocalEngineOptions;
  readonly #runs = new Map<string, RunEntry>();
  readonly #catalogs = new Map<string, IcebergSqlCatalog>();
  readonly #writers = new Map<string, IcebergTableWriter>();
  #instance?: Promise<DuckDBInstance>;
  #closed = false;

  readonly #egress: EgressGuard;

  constructor(options: LocalEngineOptions) {
    this.#options = options;
    this.#egress = options.egress ?? new EgressGuard();
  }

  /** Reads `ingestion.localEngine` and the organizations' `s3` settings. */
  static fromConfig(
    config: RootConfigService,
    options: Pick<LocalEngineOptions, 'database' | 'logger'> &
      Partial<LocalEngineOptions>,
  ): LocalEngine {
    const engine = config.getOptionalConfig('ingestion.localEngine');
    if (engine?.has('http.allowPrivateNetworks')) {
      // A global switch would open every tenant's sources to the backend's network.
      options.logger.warn(
        'ingestion.localEngine.http.allowPrivateNetworks is no longer read; allow-list private destinations per organization in ingestion.organizations[].egress.allow',
      );
    }
    const s3 = new Map<string, S3Settings>();
    for (const org of config.getOptionalConfigArray(
      'ingestion.organizations',
    ) ?? []) {
      const settings = org.getOptionalConfig('s3');
      if (settings) {
        s3.set(org.getString('id'), {
          region: settings.getOptionalString('region'),
          endpoint: settings.getOptionalString('endpoint'),
          forcePathStyle: settings.getOptionalBoolean('forcePathStyle'),
          accessKeyId: settings.getOptionalString('accessKeyId'),
          secretAccessKey: settings.getOptionalString('secretAccessKey'),
        });
      }
    }
    return new LocalEngine({
      batchSize: engine?.getOptionalNumber('batchSize'),
      organizationS3: id => s3.get(id),
      egress: EgressGuard.fromConfig(config),
      duckdb: {
        threads: engine?.getOptionalNumber('threads'),
        memoryLimit: engine?.getOptionalString('memoryLimit'),
        tempDirectory: engine?.getOptionalString('tempDirectory'),
      },
      ...options,
    });
  }

  #host(): RunHost {
    const options = this.#options;
    return {
      instance: () => this.#duckdb(),
      catalog: name => this.#catalog(name),
      writer: name => this.#writer(name),
      workingDirectory: options.workingDirectory ?? process.cwd(),
      batchSize: options.batchSize ?? 10_000,
      organizationS3: id => options.organizationS3?.(id),
      egress: id => this.#egress.forOrganization(id),
    };
  }

  #duckdb(): Promise<DuckDBInstance> {
    if (!this.#instance) {
      const settings = this.#options.duckdb ?? {};
      const tempDirectory =
        settings.tempDirectory ?? join(tmpdir(), 'ingestion-local-engine');
      this.#instance = fs.mkdir(tempDirectory, { recursive: true }).then(() =>
        DuckDBInstance.create(':memory:', {
          temp_directory: tempDirectory,
          // Nothing is downloaded at run time.
          autoinstall_known_extensions: 'false',
          autoload_known_extensions: 'false',
          ...(settings.threads ? { threads: String(settings.threads) } : {}),
          ...(settings.memoryLimit
            ? { memory_limit: settings.memoryLimit }
            : {}),
        }),
      );
    }
    return this.#instance;
  }

  #catalog(name: string): IcebergSqlCatalog {
    let catalog = this.#catalogs.get(name);
    if (!catalog) {
      catalog = new IcebergSqlCatalog({
        database: this.#options.database,
        catalogName: name,
      });
      this.#catalogs.set(name, catalog);
    }
    return catalog;
  }

  #writer(catalogName: string): IcebergTableWriter {
    let writer = this.#writers.get(catalogName);
    if (!writer) {
      writer = new IcebergTableWriter({
        catalog: this.#catalog(catalogName),
        logger: this.#options.logger,
      });
      this.#writers.set(catalogName, writer);
    }
    return writer;
  }

  /** The engine run id of a run attempt; submitting it again returns the same id. */
  static engineRunId(context: EngineRunContext): string {
    return `local:${context.run.id}:${context.run.attempt}`;
  }

  async submit(context: EngineRunContext): Promise<{ engineRunId: string }> {
    if (this.#closed) {
      throw new Error('The local engine is shutting down');
    }
    this.#prune();
    const engineRunId = LocalEngine.engineRunId(context);
    if (this.#runs.has(engineRunId)) {
      return { engineRunId };
    }
    const abort = new AbortController();
    const entry: RunEntry = {
      state: { state: 'running' },
      abort,
      done: Promise.resolve(),
    };
    this.#runs.set(engineRunId, entry);
    // The shared tenant rule, before anything is read or written: catalogs and storage
    // locations the spec names must be the organization's.
    const validation = validatePipelineSpec(context.spec, {
      organization: context.organization,
    });
    if (!validation.valid) {
      entry.state = {
        state: 'failed',
        message: `The spec cannot run in organization ${
          context.organization.id
        }: ${validation.problems
          .map(p => `${p.path}: ${p.message}`)
          .join('; ')}`,
        retryable: false,
      };
      entry.finishedAt = Date.now();
      return { engineRunId };
    }
    // Streaming specs run as micro-batches of the batch pipeline (see streaming/).
    const run =
      context.spec.pipeline_type === 'streaming' ? runStream : runPipeline;
    // CPU time and peak memory of the run: its cost on the embedded default (see src/costs).
    entry.done = measureUsage(() =>
      run(this.#host(), context, {
        signal: abort.signal,
        onWorkspace: workspace => {
          entry.workspace = workspace;
        },
      }),
    ).then(({ value: state, usage }) => {
      entry.state =
        state.state === 'succeeded' || state.state === 'quality_failed'
          ? { ...state, result: { ...state.result, usage } }
          : state;
      entry.finishedAt = Date.now();
    });
    return { engineRunId };
  }

  /**
   * Runs `context.spec` on a sample of its source and returns its output, quality results and PII;
   * writes nothing and keeps no state (see previewPipeline.ts). `context.run.id` only names the
   * temporary workspace.
   */
  async preview(
    context: EngineRunContext,
    options: PreviewOptions,
  ): Promise<PipelinePreview> {
    if (this.#closed) {
      throw new Error('The local engine is shutting down');
    }
    return previewPipeline(this.#host(), context, options);
  }

  async poll(
    _context: EngineRunContext,
    engineRunId: string,
  ): Promise<EngineRunState> {
    const entry = this.#runs.get(engineRunId);
    if (!entry) return { state: 'unknown' };
    return entry.stoppedForShutdown ? { state: 'running' } : entry.state;
  }

  async cancel(_context: EngineRunContext, engineRunId: string): Promise<void> {
    const entry = this.#runs.get(engineRunId);
    if (!entry || FINAL.has(entry.state.state)) return;
    entry.abort.abort();
    entry.workspace?.connection.interrupt();
  }

  /** Resolves when the runs started so far have finished (for tests and shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.#runs.values()].map(entry => entry.done));
  }

  /**
   * Stops running runs, waits for them (at most `waitMs`) and closes DuckDB. They keep polling
   * as `running`, so they are not recorded as cancelled; the run driver of the next backend
   * submits them again (a stream resumes from its checkpoint).
   */
  async close(waitMs = 15_000): Promise<void> {
    this.#closed = true;
    for (const entry of this.#runs.values()) {
      if (!FINAL.has(entry.state.state)) {
        entry.stoppedForShutdown = true;
        entry.abort.abort();
        entry.workspace?.connection.interrupt();
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      this.idle().then(() => true),
      new Promise<boolean>(resolve => {
        timer = setTimeout(() => resolve(false), waitMs);
      }),
    ]);
    clearTimeout(timer);
    if (!settled) {
      this.#options.logger.warn(
        'Local engine runs did not stop in time; leaving DuckDB open for the process to end',
      );
      return;
    }
    const instance = await this.#instance?.catch(() => undefined);
    instance?.closeSync();
    this.#instance = undefined;
  }

  #prune() {
    const keep = this.#options.retainFinishedMs ?? 3600_000;
    const now = Date.now();
    for (const [id, entry] of this.#runs) {
      if (entry.finishedAt !== undefined && now - entry.finishedAt > keep) {
        this.#runs.delete(id);
      }
    }
  }
}
