import type { JsonObject } from '@backstage/types';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  catalogProcessingExtensionPoint,
  type EntityProvider,
} from '@backstage/plugin-catalog-node';
import path from 'node:path';
import { catalogModuleIngestionTemplates } from './catalogModule';
import {
  readPublishVariant,
  templateFiles,
  templatesDirectory,
} from './templateVariants';

/** Starts the module with the given config; returns the entities its provider applies. */
async function registeredTemplates(config: JsonObject) {
  const providers: EntityProvider[] = [];
  const backend = await startTestBackend({
    extensionPoints: [
      [
        catalogProcessingExtensionPoint,
        {
          addEntityProvider: (...added: any[]) =>
            providers.push(...added.flat()),
        },
      ],
    ],
    features: [
      catalogModuleIngestionTemplates,
      mockServices.rootConfig.factory({ data: config }),
    ],
  });
  try {
    expect(providers.map(p => p.getProviderName())).toEqual([
      'ingestion-templates',
    ]);
    const applyMutation = jest.fn();
    await providers[0].connect({ applyMutation, refresh: jest.fn() });
    expect(applyMutation).toHaveBeenCalledTimes(1);
    const mutation = applyMutation.mock.calls[0][0];
    expect(mutation.type).toBe('full');
    return mutation.entities as { entity: any; locationKey: string }[];
  } finally {
    await backend.stop();
  }
}

function publishActions(entity: any): string[] {
  return entity.spec.steps
    .map((step: { action: string }) => step.action)
    .filter((action: string) => /publish/.test(action));
}

describe('pipeline templates in the catalog', () => {
  it('registers the local variant by default, each managed by its file in this package', async () => {
    const entities = await registeredTemplates({});
    expect(entities.map(e => e.entity.metadata.name).sort()).toEqual([
      'batch-database-to-iceberg',
      'files-to-iceberg',
      'streaming-kafka-to-delta',
    ]);
    for (const { entity, locationKey } of entities) {
      expect(entity.kind).toBe('Template');
      expect(entity.metadata.namespace).toBe('default');
      expect(publishActions(entity)).toEqual(['ingestion:repo:publish']);
      const location = entity.metadata.annotations[
        'backstage.io/managed-by-location'
      ] as string;
      expect(location).toMatch(/^file:\//);
      expect(location.slice('file:'.length)).toBe(
        path.join(templatesDirectory(), entity.metadata.name, 'template.yaml'),
      );
      expect(
        entity.metadata.annotations['backstage.io/managed-by-origin-location'],
      ).toBe(location);
      expect(locationKey).toBe(`ingestion-templates:${location}`);
    }
  });

  it.each(['github', 'gitlab'])(
    'registers the %s variant when ingestion.scaffolder.publish says so',
    async provider => {
      const entities = await registeredTemplates({
        ingestion: { scaffolder: { publish: provider } },
      });
      expect(entities).toHaveLength(3);
      for (const { entity } of entities) {
        expect(publishActions(entity)).toEqual([`publish:${provider}`]);
        expect(entity.metadata.tags).toContain(provider);
        const repoPage = entity.spec.parameters.find(
          (page: any) => page.properties?.repoUrl,
        );
        expect(repoPage.properties.repoUrl['ui:options'].allowedHosts).toEqual([
          `${provider}.com`,
        ]);
      }
    },
  );

  it('refuses to start with an unknown variant, naming the key and the choices', async () => {
    await expect(
      startTestBackend({
        extensionPoints: [
          [catalogProcessingExtensionPoint, { addEntityProvider: jest.fn() }],
        ],
        features: [
          catalogModuleIngestionTemplates,
          mockServices.rootConfig.factory({
            data: { ingestion: { scaffolder: { publish: 'bitbucket' } } },
          }),
        ],
      }),
    ).rejects.toThrow(
      "Invalid ingestion.scaffolder.publish 'bitbucket': expected one of local, github, gitlab",
    );
  });
});

describe('templateFiles', () => {
  it('lists the same templates in each variant, all inside this package', () => {
    const local = templateFiles('local').map(f =>
      path.basename(path.dirname(f)),
    );
    for (const variant of ['github', 'gitlab'] as const) {
      const files = templateFiles(variant);
      expect(files.map(f => path.basename(f, '.yaml'))).toEqual(local);
      for (const file of files) {
        expect(file.startsWith(templatesDirectory() + path.sep)).toBe(true);
      }
    }
    expect(readPublishVariant(mockServices.rootConfig({ data: {} }))).toBe(
      'local',
    );
  });
});
