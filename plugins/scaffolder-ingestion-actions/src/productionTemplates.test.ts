import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { loadTemplates } from './__testUtils__/startScaffolderTestBackend';

/**
 * The production variants of the templates (templates/production, generated): the embedded
 * default's templates with a repository page and the built-in publish:github / publish:gitlab in
 * place of ingestion:repo:publish.
 */
const PRODUCTION = path.resolve(__dirname, '../templates/production');
const { renderAll } = require('../templates/production/generate.js');

const templates = loadTemplates();

describe('production templates', () => {
  it('are generated from the current templates', async () => {
    const files: Record<string, string> = await renderAll();
    expect(Object.keys(files).sort()).toEqual(
      ['github', 'gitlab'].flatMap(provider =>
        Object.keys(templates)
          .sort()
          .map(name => path.join(provider, `${name}.yaml`)),
      ),
    );
    for (const [file, content] of Object.entries(files)) {
      expect(fs.readFileSync(path.join(PRODUCTION, file), 'utf8')).toBe(
        content,
      );
    }
  });

  describe.each(['github', 'gitlab'])('for %s', provider => {
    it.each(Object.keys(templates))(
      '%s publishes with the built-in action and keeps everything else',
      name => {
        const dev = templates[name];
        const prod = yaml.parse(
          fs.readFileSync(
            path.join(PRODUCTION, provider, `${name}.yaml`),
            'utf8',
          ),
        );
        expect(prod.metadata.name).toBe(dev.metadata.name);
        const actions = prod.spec.steps.map(
          (s: { action: string }) => s.action,
        );
        expect(actions).toEqual(
          dev.spec.steps.map((s: { action: string }) =>
            s.action === 'ingestion:repo:publish'
              ? `publish:${provider}`
              : s.action,
          ),
        );
        const pages = prod.spec.parameters;
        expect(pages.map((p: { title: string }) => p.title)).toEqual([
          ...dev.spec.parameters
            .slice(0, -1)
            .map((p: { title: string }) => p.title),
          'Repository',
          'Cost estimate',
        ]);
        expect(pages.at(-2).properties.repoUrl['ui:field']).toBe(
          'RepoUrlPicker',
        );
        // The same review page and spec mapping as the embedded default's.
        expect(pages.at(-1)).toEqual(dev.spec.parameters.at(-1));
        expect(
          prod.spec.steps.find((s: { id: string }) => s.id === 'publish').input
            .repoUrl,
        ).toBe('${{ parameters.repoUrl }}');
      },
    );
  });
});
