import fs from 'node:fs/promises';
import path from 'node:path';
import {
  ANNOTATION_ORGANIZATION,
  validatePipelineSpec,
  type PipelineSpec,
  type PipelineSpecValidationOptions,
  type SpecProblem,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { parse } from 'yaml';
import { CliError, EXIT } from './exitCodes';

/**
 * The annotation naming a pipeline in the `catalog-info.yaml` that `ingestion:pipeline:create`
 * writes next to `pipeline.yaml` (defined by the scaffolder module).
 */
const ANNOTATION_PIPELINE_NAME = 'ingestion.backstage.io/pipeline-name';

/** A pipeline spec file and what it says of the pipeline. */
export interface PipelineFile {
  file: string;
  text: string;
  /** From `--org`, else the `catalog-info.yaml` beside the file. */
  organization?: string;
  /** From `--name`, else the `catalog-info.yaml` beside the file, else the folder's name. */
  name: string;
  description?: string;
}

/** The spec files given: files as they are, folders' `*.yaml`/`*.yml` pipeline files. */
export async function expandSpecFiles(args: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const arg of args) {
    const stat = await fs.stat(arg).catch(() => undefined);
    if (!stat) {
      throw new CliError(`${arg}: no such file or folder`, EXIT.USAGE);
    }
    if (!stat.isDirectory()) {
      files.push(arg);
      continue;
    }
    const entries = await fs.readdir(arg, { recursive: true });
    const specs = entries
      .map(String)
      .filter(
        entry =>
          /(^|[\\/])pipeline\.ya?ml$/.test(entry) ||
          /\.pipeline\.ya?ml$/.test(entry),
      )
      .sort()
      .map(entry => path.join(arg, entry));
    if (specs.length === 0) {
      throw new CliError(
        `${arg}: no pipeline files (pipeline.yaml or *.pipeline.yaml)`,
        EXIT.USAGE,
      );
    }
    files.push(...specs);
  }
  return files;
}

async function catalogInfoBeside(
  file: string,
): Promise<{ organization?: string; name?: string; description?: string }> {
  const text = await fs
    .readFile(path.join(path.dirname(file), 'catalog-info.yaml'), 'utf8')
    .catch(() => undefined);
  if (!text) return {};
  try {
    const entity = parse(text) as {
      metadata?: {
        annotations?: Record<string, string>;
        description?: string;
      };
    };
    const annotations = entity?.metadata?.annotations ?? {};
    return {
      organization: annotations[ANNOTATION_ORGANIZATION],
      name: annotations[ANNOTATION_PIPELINE_NAME],
      description: entity?.metadata?.description,
    };
  } catch {
    return {};
  }
}

export async function readPipelineFile(
  file: string,
  overrides: { organization?: string; name?: string } = {},
): Promise<PipelineFile> {
  const text = await fs.readFile(file, 'utf8').catch(error => {
    throw new CliError(`${file}: ${(error as Error).message}`, EXIT.USAGE);
  });
  const info = await catalogInfoBeside(file);
  const base = path.basename(file).replace(/(\.pipeline)?\.ya?ml$/, '');
  return {
    file,
    text,
    organization: overrides.organization ?? info.organization,
    name:
      overrides.name ??
      info.name ??
      (base === 'pipeline'
        ? path.basename(path.dirname(path.resolve(file)))
        : base),
    description: info.description,
  };
}

/** A problem of a file as people read it: `file:line:column path: message`. */
export function formatProblem(file: string, problem: SpecProblem): string {
  const where = problem.location
    ? `${file}:${problem.location.line}:${problem.location.column}`
    : file;
  return `${where}: ${problem.path ? `${problem.path}: ` : ''}${
    problem.message
  }`;
}

export type FileValidation =
  | { file: string; valid: true; spec: PipelineSpec }
  | { file: string; valid: false; problems: SpecProblem[] };

/** Validates a spec file's text with the very validator the backend uses. */
export function validateFile(
  file: PipelineFile,
  organization?: PipelineSpecValidationOptions['organization'],
): FileValidation {
  const result = validatePipelineSpec(file.text, { organization });
  return result.valid
    ? { file: file.file, valid: true, spec: result.spec }
    : { file: file.file, valid: false, problems: result.problems };
}
