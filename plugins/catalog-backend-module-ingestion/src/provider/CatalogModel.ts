import type { Entity } from '@backstage/catalog-model';
import {
  getSourceDatasets,
  getTargetDataset,
  type CatalogOrganization,
  type CatalogPipeline,
  type CatalogTable,
  type DatasetRef,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  datasetEntity,
  pipelineEntity,
  pipelineRef,
  systemEntity,
  type EntityContext,
  type PipelineInfo,
} from './entities';

/**
 * A subject is one thing that becomes (at most) one entity: an organization's system, a
 * pipeline, or a dataset (a source, a table, or both). Keys are stable across changes, so a
 * renamed pipeline keeps its subject while its entity ref changes.
 */
export type SubjectKey = string;

const SEP = '\u0000';
const systemKey = (organizationId: string) => `system${SEP}${organizationId}`;
const pipelineKey = (pipelineId: string) => `pipeline${SEP}${pipelineId}`;
const datasetKey = (
  organizationId: string,
  dataset: { kind: string; name: string },
) => `dataset${SEP}${organizationId}${SEP}${dataset.kind}${SEP}${dataset.name}`;

function addTo<K, V>(index: Map<K, Set<V>>, key: K, value: V) {
  let set = index.get(key);
  if (!set) {
    set = new Set();
    index.set(key, set);
  }
  set.add(value);
}

function removeFrom<K, V>(index: Map<K, Set<V>>, key: K, value: V) {
  const set = index.get(key);
  if (set) {
    set.delete(value);
    if (set.size === 0) index.delete(key);
  }
}

/** The datasets a pipeline's spec names; the spec is the stored, validated one. */
export function pipelineInfo(pipeline: CatalogPipeline): PipelineInfo {
  const { spec, ...record } = pipeline;
  try {
    const parsed = spec as unknown as PipelineSpec;
    return {
      record,
      sources: getSourceDatasets(parsed),
      target: getTargetDataset(parsed),
    };
  } catch {
    return {
      record,
      sources: [],
      specProblem: 'its spec could not be read by this catalog module',
    };
  }
}

function tableDataset(
  table: CatalogTable,
  writer: PipelineInfo | undefined,
): { kind: string; name: string } {
  if (table.format === 'iceberg' && table.identifier) {
    return { kind: 'iceberg-table', name: table.identifier };
  }
  // Path tables: the writing pipeline's target names them as the spec does (relative paths).
  if (writer?.target && writer.target.kind !== 'iceberg-table') {
    return writer.target;
  }
  const location = table.location ?? table.id;
  if (table.format === 'delta') return { kind: 'delta-table', name: location };
  return {
    kind: location.startsWith('s3://') ? 's3-prefix' : 'file-path',
    name: location,
  };
}

/**
 * What the provider knows, indexed so that a change to one pipeline or table tells which
 * entities it affects: the pipeline, the datasets it read and reads, wrote and writes.
 */
export class CatalogModel {
  private organizations = new Map<string, CatalogOrganization>();
  private pipelines = new Map<string, PipelineInfo>();
  private tables = new Map<string, CatalogTable>();
  /** Where each table is filed, and by which subject. */
  private tableKeys = new Map<string, SubjectKey>();
  private readers = new Map<SubjectKey, Set<string>>();
  private writers = new Map<SubjectKey, Set<string>>();
  private tablesAt = new Map<SubjectKey, Set<string>>();
  private tablesByPipeline = new Map<string, Set<string>>();
  /** The dataset descriptions of each dataset subject, from the specs that name it. */
  private datasets = new Map<
    SubjectKey,
    { org: string; dataset: DatasetRef }
  >();

  constructor(private readonly context: EntityContext = {}) {}

  organizationIds(): string[] {
    return [...this.organizations.keys()].sort();
  }

  setOrganizations(organizations: CatalogOrganization[]): SubjectKey[] {
    const affected = new Set<SubjectKey>(
      [...this.organizations.keys()].map(systemKey),
    );
    this.organizations = new Map(organizations.map(o => [o.id, o]));
    organizations.forEach(o => affected.add(systemKey(o.id)));
    return [...affected];
  }

  pipelineIds(organizationId: string): string[] {
    return [...this.pipelines.values()]
      .filter(p => p.record.organization === organizationId)
      .map(p => p.record.id);
  }

  tableIds(organizationId: string): string[] {
    return [...this.tables.values()]
      .filter(t => t.organization === organizationId)
      .map(t => t.id);
  }

  count(organizationId: string) {
    let pipelines = 0;
    let tables = 0;
    for (const p of this.pipelines.values()) {
      if (p.record.organization === organizationId) pipelines++;
    }
    for (const t of this.tables.values()) {
      if (t.organization === organizationId) tables++;
    }
    return { pipelines, tables };
  }

  /** Adds or replaces a pipeline; returns the subjects whose entities may have changed. */
  setPipeline(pipeline: CatalogPipeline): SubjectKey[] {
    const affected = this.removePipeline(pipeline.id);
    const info = pipelineInfo(pipeline);
    const org = info.record.organization;
    this.pipelines.set(info.record.id, info);
    affected.push(pipelineKey(info.record.id));
    for (const source of info.sources) {
      const key = datasetKey(org, source);
      addTo(this.readers, key, info.record.id);
      if (!this.datasets.has(key))
        this.datasets.set(key, { org, dataset: source });
      affected.push(key);
    }
    if (info.target) {
      const key = datasetKey(org, info.target);
      addTo(this.writers, key, info.record.id);
      if (!this.datasets.has(key)) {
        this.datasets.set(key, { org, dataset: info.target });
      }
      affected.push(key);
    }
    for (const tableId of this.tablesByPipeline.get(info.record.id) ?? []) {
      affected.push(...this.fileTable(this.tables.get(tableId)!));
    }
    return affected;
  }

  removePipeline(pipelineId: string): SubjectKey[] {
    const info = this.pipelines.get(pipelineId);
    if (!info) return [];
    const org = info.record.organization;
    const affected = [pipelineKey(pipelineId)];
    for (const source of info.sources) {
      const key = datasetKey(org, source);
      removeFrom(this.readers, key, pipelineId);
      affected.push(key);
    }
    if (info.target) {
      const key = datasetKey(org, info.target);
      removeFrom(this.writers, key, pipelineId);
      affected.push(key);
    }
    this.pipelines.delete(pipelineId);
    for (const key of affected) this.forgetDatasetIfUnused(key);
    for (const tableId of this.tablesByPipeline.get(pipelineId) ?? []) {
      affected.push(...this.fileTable(this.tables.get(tableId)!));
    }
    return affected;
  }

  setTable(table: CatalogTable): SubjectKey[] {
    const affected = this.removeTable(table.id);
    this.tables.set(table.id, table);
    if (table.pipelineId)
      addTo(this.tablesByPipeline, table.pipelineId, table.id);
    affected.push(...this.fileTable(table));
    return affected;
  }

  removeTable(tableId: string): SubjectKey[] {
    const table = this.tables.get(tableId);
    if (!table) return [];
    const affected: SubjectKey[] = [];
    const key = this.tableKeys.get(tableId);
    if (key) {
      removeFrom(this.tablesAt, key, tableId);
      this.tableKeys.delete(tableId);
      this.forgetDatasetIfUnused(key);
      affected.push(key);
    }
    if (table.pipelineId) {
      removeFrom(this.tablesByPipeline, table.pipelineId, tableId);
    }
    this.tables.delete(tableId);
    return affected;
  }

  /** (Re-)files a table under its dataset subject; returns the old and new subject. */
  private fileTable(table: CatalogTable): SubjectKey[] {
    const affected: SubjectKey[] = [];
    const old = this.tableKeys.get(table.id);
    if (old) {
      removeFrom(this.tablesAt, old, table.id);
      affected.push(old);
    }
    const writer = table.pipelineId
      ? this.pipelines.get(table.pipelineId)
      : undefined;
    const key = datasetKey(table.organization, tableDataset(table, writer));
    addTo(this.tablesAt, key, table.id);
    this.tableKeys.set(table.id, key);
    affected.push(key);
    if (old && old !== key) this.forgetDatasetIfUnused(old);
    return affected;
  }

  private forgetDatasetIfUnused(key: SubjectKey) {
    if (
      key.startsWith(`dataset${SEP}`) &&
      !this.readers.has(key) &&
      !this.writers.has(key)
    ) {
      this.datasets.delete(key);
    }
  }

  /** Every subject that currently has an entity. */
  subjects(): SubjectKey[] {
    return [...this.eachSubject()];
  }

  /** The subjects one by one, without building a set of them all (a full refresh has many). */
  *eachSubject(): Generator<SubjectKey> {
    for (const id of this.organizations.keys()) yield systemKey(id);
    for (const id of this.pipelines.keys()) yield pipelineKey(id);
    // A dataset may be read, written and held as a table: yield it from the first map only.
    for (const key of this.tablesAt.keys()) yield key;
    for (const key of this.readers.keys()) {
      if (!this.tablesAt.has(key)) yield key;
    }
    for (const key of this.writers.keys()) {
      if (!this.tablesAt.has(key) && !this.readers.has(key)) yield key;
    }
  }

  /** The entity of a subject now, or undefined when it has none (any more). */
  entityOf(key: SubjectKey): Entity | undefined {
    const typeEnd = key.indexOf(SEP);
    const type = key.slice(0, typeEnd);
    if (type === 'system') {
      const org = this.organizations.get(key.slice(typeEnd + 1));
      return org && systemEntity(org);
    }
    if (type === 'pipeline') {
      const pipeline = this.pipelines.get(key.slice(typeEnd + 1));
      const org =
        pipeline && this.organizations.get(pipeline.record.organization);
      return pipeline && org && pipelineEntity(pipeline, org, this.context);
    }
    const orgEnd = key.indexOf(SEP, typeEnd + 1);
    const kindEnd = key.indexOf(SEP, orgEnd + 1);
    const org = this.organizations.get(key.slice(typeEnd + 1, orgEnd));
    if (!org) return undefined;
    const tableIds = this.tablesAt.get(key);
    const readers = this.readers.get(key);
    const specWriters = this.writers.get(key);
    // The most recently changed record wins when two rows name the same table; tables also
    // name the pipeline that wrote them. Loops rather than arrays: this runs per dataset.
    let table: CatalogTable | undefined;
    let tableWriters: string[] | undefined;
    for (const id of tableIds ?? []) {
      const t = this.tables.get(id)!;
      if (
        !table ||
        t.updatedAt > table.updatedAt ||
        (t.updatedAt === table.updatedAt && t.id < table.id)
      ) {
        table = t;
      }
      if (t.pipelineId && this.pipelines.has(t.pipelineId)) {
        (tableWriters ??= []).push(t.pipelineId);
      }
    }
    if (!table && !readers && !specWriters && !tableWriters) return undefined;
    const writers = new Set<string>();
    for (const ids of [specWriters, tableWriters]) {
      for (const id of ids ?? []) {
        const p = this.pipelines.get(id);
        if (p) writers.add(pipelineRef(p.record.organization, p.record.name));
      }
    }
    return datasetEntity(
      {
        kind: key.slice(orgEnd + 1, kindEnd),
        name: key.slice(kindEnd + 1),
        writers: writers.size > 1 ? [...writers].sort() : [...writers],
        described: this.datasets.get(key)?.dataset,
        table,
      },
      org,
    );
  }
}

export const subjectKeys = { systemKey, pipelineKey, datasetKey };
