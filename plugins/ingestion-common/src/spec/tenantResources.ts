import type { PipelineSpec } from './pipelineSpec';
import type { SpecProblem } from './problems';
import { quoted } from './text';

/**
 * The resources an organization owns, as tenant checks need them: plain data, so that the
 * backend's organization config, the engines' and code generation's organization objects and
 * the scaffolder's settings can all be passed as they are.
 * @public
 */
export interface OrganizationResources {
  /** Organization id, e.g. `finance`; named in messages. */
  id: string;
  /**
   * The organization's Iceberg (or Unity) catalog. When absent, the backend's default name
   * applies: the id with `-` as `_`, then `_catalog` (`finance_catalog`).
   */
  icebergCatalog?: string;
  /** More catalogs whose tables belong to the organization (its Iceberg REST catalogs). */
  icebergCatalogs?: readonly string[];
  /**
   * Storage root: a local folder (relative paths resolve under it) or `s3://bucket/prefix`
   * (also the one S3 location the organization owns unless `storageLocations` adds more).
   */
  storage?: string;
  /** More S3 locations the organization owns, `s3://bucket` or `s3://bucket/prefix`. */
  storageLocations?: readonly string[];
}

/** The catalogs an organization owns, its own catalog first. @public */
export function organizationCatalogs(
  organization: OrganizationResources,
): string[] {
  const own =
    organization.icebergCatalog ??
    `${organization.id.replace(/-/g, '_')}_catalog`;
  return [...new Set([own, ...(organization.icebergCatalogs ?? [])])];
}

interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing slash; empty for the whole bucket. */
  prefix: string;
}

function parseS3(uri: string): S3Location | undefined {
  const match = /^s3:\/\/([^/]+)\/*(.*)$/.exec(uri);
  return match
    ? { bucket: match[1], prefix: match[2].replace(/\/+$/, '') }
    : undefined;
}

/** The S3 locations an organization owns: its S3 storage root and its extra locations. */
function organizationS3Locations(
  organization: OrganizationResources,
): string[] {
  const locations = [
    ...(organization.storage?.startsWith('s3://')
      ? [organization.storage]
      : []),
    ...(organization.storageLocations ?? []),
  ].map(location => location.replace(/\/+$/, ''));
  return [...new Set(locations)];
}

/** True when `uri` is the location or below it: prefixes match whole path segments only. */
function isWithin(uri: S3Location, location: S3Location): boolean {
  return (
    uri.bucket === location.bucket &&
    (location.prefix === '' ||
      uri.prefix === location.prefix ||
      uri.prefix.startsWith(`${location.prefix}/`))
  );
}

/** Why a storage path is not the organization's, or undefined when it is. */
function storagePathProblem(
  organization: OrganizationResources,
  path: string,
): string | undefined {
  const own = organizationS3Locations(organization);
  const rule = `organization ${organization.id}'s storage (${[
    'paths relative to its storage root',
    ...own,
  ].join(', ')})`;
  if (path.startsWith('s3://')) {
    const uri = parseS3(path);
    const segments = uri?.prefix.split('/') ?? [];
    if (
      !uri ||
      segments.some(s => s === '..' || s === '.') ||
      !own.some(location => {
        const parsed = parseS3(location);
        return parsed !== undefined && isWithin(uri, parsed);
      })
    ) {
      return `${quoted(path)} is not in ${rule}`;
    }
    return undefined;
  }
  // Relative paths resolve under the root; nothing may climb out of it or start elsewhere.
  const segments = path.replace(/\/+$/, '').split('/');
  if (
    /^[A-Za-z][A-Za-z0-9+.-]*:/.test(path) ||
    /^[/\\~]/.test(path) ||
    path.includes('\\') ||
    segments.some(s => s === '..' || s === '.' || s === '')
  ) {
    return `${quoted(path)} is not in ${rule}`;
  }
  return undefined;
}

/**
 * Where a spec names tenant resources: the catalogs of Iceberg sources, joined datasets and
 * targets, and the storage paths of file sources, joined files, Delta and Parquet targets and
 * checkpoints.
 */
function namedResources(
  spec: PipelineSpec,
): Array<{ path: string; kind: 'catalog' | 'storage'; value: string }> {
  const found: Array<{
    path: string;
    kind: 'catalog' | 'storage';
    value: string;
  }> = [];
  const dataset = (prefix: string, source: PipelineSpec['source']) => {
    if (source.type === 'iceberg') {
      found.push({
        path: `${prefix}.catalog`,
        kind: 'catalog',
        value: source.catalog,
      });
    }
    if (source.type === 'file') {
      found.push({
        path: `${prefix}.path`,
        kind: 'storage',
        value: source.path,
      });
    }
  };
  dataset('source', spec.source);
  spec.transformations.forEach((transform, index) => {
    if (transform.type === 'join') {
      dataset(`transformations[${index}].dataset`, transform.dataset);
    }
  });
  const { target } = spec;
  if (target.type === 'iceberg') {
    found.push({
      path: 'target.catalog',
      kind: 'catalog',
      value: target.catalog,
    });
  } else {
    found.push({ path: 'target.path', kind: 'storage', value: target.path });
  }
  if ('checkpoint' in target && target.checkpoint !== undefined) {
    found.push({
      path: 'target.checkpoint',
      kind: 'storage',
      value: target.checkpoint,
    });
  }
  return found;
}

/**
 * The tenant rule of pipeline specs: every catalog and storage location a spec names is its
 * organization's own. Catalogs must be one of the organization's catalogs (a schema is the
 * organization's through its catalog); relative paths stay under its storage root; `s3://`
 * URIs lie inside its S3 storage root or one of its extra storage locations, whether read or
 * written, with or without a connection. Messages name only the organization's own resources,
 * never whose a refused name is. Runs on a spec that passed structural validation.
 * @public
 */
export function tenantResourceProblems(
  spec: PipelineSpec,
  organization: OrganizationResources,
): SpecProblem[] {
  const catalogs = organizationCatalogs(organization);
  const problems: SpecProblem[] = [];
  for (const { path, kind, value } of namedResources(spec)) {
    if (kind === 'catalog') {
      if (!catalogs.includes(value)) {
        problems.push({
          path,
          message: `catalog ${quoted(value)} is not one of organization ${
            organization.id
          }'s catalogs (${catalogs.join(', ')})`,
        });
      }
      continue;
    }
    const message = storagePathProblem(organization, value);
    if (message) {
      problems.push({ path, message });
    }
  }
  return problems;
}
