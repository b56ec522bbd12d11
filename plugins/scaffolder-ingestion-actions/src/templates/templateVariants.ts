import {
  resolvePackagePath,
  type RootConfigService,
} from '@backstage/backend-plugin-api';
import fs from 'node:fs';
import path from 'node:path';

/** Where a template's Create puts the pipeline's repository. */
export type TemplatePublishVariant = 'local' | 'github' | 'gitlab';

const VARIANTS: readonly TemplatePublishVariant[] = [
  'local',
  'github',
  'gitlab',
];

/** The config key that chooses the variant. */
export const PUBLISH_CONFIG_KEY = 'ingestion.scaffolder.publish';

/** The templates shipped in this package (its `templates/` folder, listed in `files`). */
export function templatesDirectory(): string {
  return resolvePackagePath(
    '@ingestion-for-backstage/plugin-scaffolder-backend-module-ingestion',
    'templates',
  );
}

/**
 * The variant `ingestion.scaffolder.publish` names: `local` (the default) publishes with
 * `ingestion:repo:publish` into the organization's storage; `github` and `gitlab` ask for a
 * repository (RepoUrlPicker) and publish with the built-in `publish:github` / `publish:gitlab`.
 */
export function readPublishVariant(
  config: RootConfigService,
): TemplatePublishVariant {
  const value = config.getOptionalString(PUBLISH_CONFIG_KEY) ?? 'local';
  if (!VARIANTS.includes(value as TemplatePublishVariant)) {
    throw new Error(
      `Invalid ${PUBLISH_CONFIG_KEY} '${value}': expected one of ${VARIANTS.join(
        ', ',
      )}`,
    );
  }
  return value as TemplatePublishVariant;
}

/**
 * The template files of a variant, by absolute path, sorted: `<name>/template.yaml` for `local`,
 * `production/<provider>/<name>.yaml` (generated from them) for `github` and `gitlab`.
 */
export function templateFiles(
  variant: TemplatePublishVariant,
  root: string = templatesDirectory(),
): string[] {
  if (variant === 'local') {
    return fs
      .readdirSync(root, { withFileTypes: true })
      .filter(
        entry =>
          entry.isDirectory() &&
          fs.existsSync(path.join(root, entry.name, 'template.yaml')),
      )
      .map(entry => path.join(root, entry.name, 'template.yaml'))
      .sort();
  }
  const dir = path.join(root, 'production', variant);
  return fs
    .readdirSync(dir)
    .filter(name => name.endsWith('.yaml'))
    .map(name => path.join(dir, name))
    .sort();
}
