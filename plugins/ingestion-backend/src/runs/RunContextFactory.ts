import {
  describePiiMasking,
  validatePipelineSpec,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  deriveIdempotencyToken,
  type EngineOrganization,
  type EngineRunContext,
  type IngestionEngine,
  type ResolvedConnection,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';
import { DatabasePipelinesStore } from '../database/DatabasePipelinesStore';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { PiiMasking } from '../pii/PiiMasking';
import type { DriverRun, DriverStore } from './DriverStore';
import type { RunPiiMaskingTracker } from './RunPiiMaskingTracker';

/** Errors that are the spec's or the setup's fault: retrying cannot help. */
export class PermanentError extends Error {}

export interface RunContextFactoryOptions {
  knex: Knex;
  store: DriverStore;
  directory: OrganizationDirectory;
  /** The engines by id; read on every call, so modules may add later. */
  engines: ReadonlyMap<string, IngestionEngine>;
  /** A connection of an organization, with its secret (see the connections service). */
  resolveConnection(
    organizationId: string,
    name: string,
  ): Promise<ResolvedConnection>;
  /** Appends to the run's log. */
  log(
    run: DriverRun,
    level: 'info' | 'warn' | 'error',
    message: string,
  ): Promise<void>;
  masked: RunPiiMaskingTracker;
}

/**
 * What the run driver hands an engine for a run: its engine, organization, validated spec
 * (cached by pipeline version) and the run's context, with the spec governed by the PII masking
 * policy. Whatever can never work (no engine, no organization, no pipeline, an invalid spec)
 * throws a {@link PermanentError}.
 */
export class RunContextFactory {
  readonly #options: RunContextFactoryOptions;
  readonly #pipelines: DatabasePipelinesStore;
  readonly #masking: PiiMasking;
  readonly #specs = new Map<string, PipelineSpec>();

  constructor(options: RunContextFactoryOptions) {
    this.#options = options;
    this.#pipelines = new DatabasePipelinesStore(options.knex);
    this.#masking = new PiiMasking(options.knex);
  }

  engine(run: DriverRun): IngestionEngine {
    const engine = this.#options.engines.get(run.engine);
    if (!engine) {
      throw new PermanentError(
        `No '${run.engine}' engine is installed in this backend (installed: ${
          [...this.#options.engines.keys()].join(', ') || 'none'
        })`,
      );
    }
    return engine;
  }

  organization(run: DriverRun): OrganizationConfig {
    const organization = this.#options.directory.find(run.organizationId);
    if (!organization) {
      throw new PermanentError(
        `Organization '${run.organizationId}' is no longer configured`,
      );
    }
    return organization;
  }

  async #spec(run: DriverRun): Promise<PipelineSpec> {
    const key = `${run.pipelineId}@${run.pipelineVersion}`;
    const cached = this.#specs.get(key);
    if (cached) return cached;
    const version = await this.#pipelines.getVersion(
      run.organizationId,
      run.pipelineId,
      run.pipelineVersion,
    );
    if (!version?.spec) {
      throw new PermanentError(
        `Version ${run.pipelineVersion} of pipeline ${run.pipelineId} no longer exists`,
      );
    }
    // With the organization: a version saved before a tenant rule existed (or one naming what
    // the organization no longer owns) never reaches an engine.
    const validation = validatePipelineSpec(version.spec, {
      organization: this.organization(run),
    });
    if (!validation.valid) {
      throw new PermanentError(
        `The spec of version ${
          run.pipelineVersion
        } is not valid: ${validation.problems
          .map(p => `${p.path || '(spec)'}: ${p.message}`)
          .join('; ')}`,
      );
    }
    if (this.#specs.size > 500) this.#specs.clear();
    this.#specs.set(key, validation.spec);
    return validation.spec;
  }

  async context(run: DriverRun): Promise<EngineRunContext> {
    const organization = this.organization(run);
    const pipeline = await this.#options.store.pipeline(
      run.organizationId,
      run.pipelineId,
    );
    if (!pipeline) {
      throw new PermanentError(`Pipeline ${run.pipelineId} no longer exists`);
    }
    // Outside production the engine runs a spec that masks the target's known PII columns.
    const governed = await this.#masking.effectiveSpec({
      organizationId: organization.id,
      environment: organization.environment,
      pipelineId: pipeline.id,
      spec: await this.#spec(run),
    });
    const attempt = Math.max(1, run.attempt);
    const context: EngineRunContext = {
      run: {
        id: run.id,
        attempt,
        // Each attempt has its own token: a retry after a failed job must start a new one, while a
        // repeated submit of the same attempt still returns the job it started.
        idempotencyToken:
          attempt === 1
            ? run.idempotencyToken
            : deriveIdempotencyToken(`${run.idempotencyToken}#${attempt}`),
        watermarkIn: run.watermarkIn,
      },
      pipeline: {
        id: pipeline.id,
        name: pipeline.name,
        owner: pipeline.owner,
        version: run.pipelineVersion,
      },
      spec: governed.spec,
      organization: engineOrganization(organization),
      resolveConnection: name =>
        this.#options.resolveConnection(organization.id, name),
      log: (level, message) => this.#options.log(run, level, message),
      reviewStagedOutput: async sample => {
        const review = PiiMasking.reviewStaged(
          sample,
          organization.environment,
          governed.masked.map(m => m.column),
        );
        if (review.masked.length > 0) {
          this.#options.masked.setMaskedStaged(run.id, review.masked);
          await this.#options.log(
            run,
            'info',
            describePiiMasking(review.masked, organization.environment),
          );
        }
        return { piiColumns: review.piiColumns, transforms: review.transforms };
      },
    };
    this.#options.masked.setMaskedBySpec(context, governed.masked);
    return context;
  }
}

/** The organization as engines see it. */
export function engineOrganization(
  organization: OrganizationConfig,
): EngineOrganization {
  return {
    id: organization.id,
    name: organization.name,
    costCenter: organization.costCenter,
    environment: organization.environment,
    storage: organization.storage,
    icebergCatalog: organization.icebergCatalog,
    ...(organization.storageLocations && {
      storageLocations: organization.storageLocations,
    }),
    ...(organization.icebergCatalogs && {
      icebergCatalogs: organization.icebergCatalogs,
    }),
    quotas: {
      maxConcurrentJobs: organization.quotas.databricks.maxConcurrentJobs,
      maxDbuPerHour: organization.quotas.databricks.maxDbuPerHour,
    },
    databricks: organization.databricks,
    owner: organization.ownerGroup,
    project: organization.project,
  };
}
