/**
 * Wire types of the routes behind the pipeline editor: preview on a sample and the Databricks
 * deployment's status and redeploy. The backend answers with them; the frontend reads them.
 */
import type { PipelineDetails } from './api';

/** A column of a preview's output, with the local engine's (DuckDB) type. @public */
export interface PreviewColumn {
  name: string;
  type: string;
  /** Always true: the tables the engines write keep every column optional. */
  nullable: boolean;
}

/** One quality rule's result on the preview's sample, in the spec's order. @public */
export interface PreviewRuleResult {
  name: string;
  /** The rule's type (`not_null`, `range`, `expression`, …). */
  type: string;
  severity: 'warn' | 'drop' | 'fail';
  passed: boolean;
  metric?: number;
  threshold?: number;
  message?: string;
}

/** `POST /v1/specs/preview`: a draft run on the first rows of its source, nothing written. @public */
export interface SpecPreview {
  /** Output rows; 64-bit integers and decimals as exact text, dates and timestamps as text. */
  rows: Array<Record<string, unknown>>;
  schema: PreviewColumn[];
  /** Columns with personal data, and whether the preview masked them (outside production). */
  pii: Array<{ column: string; kind: string; masked: boolean }>;
  quality: PreviewRuleResult[];
  /** Rows read from the source. */
  sampleRows: number;
  /** Rows the draft outputs from them (after `drop` rules). */
  outputRows: number;
  elapsedMs: number;
  /** The source had more rows than were read. */
  truncated: boolean;
}

/** `GET /v1/pipelines/{id}/deployment`: the Databricks job and whether it is behind. @public */
export interface DeploymentStatus {
  pipelineId: string;
  /** The organization's engine (`databricks`, `local`, …). */
  engine: string;
  currentVersion: number;
  /** A Databricks job is recorded for the pipeline. */
  deployed: boolean;
  /** The job runs an older version (`version`) or an older effective spec (`spec`). */
  behind: boolean;
  behindReason?: 'version' | 'spec';
  effectiveSpecHash?: string;
  deployment?: PipelineDetails['deployment'];
}

/** `POST /v1/pipelines/{id}/deployment/redeploy`. @public */
export interface Redeployment {
  jobId: string;
  jobUrl: string;
  jobName: string;
  notebookPath: string;
  /** A job was created (none was recorded), rather than the recorded one updated. */
  created: boolean;
  version: number;
  status: DeploymentStatus;
}
