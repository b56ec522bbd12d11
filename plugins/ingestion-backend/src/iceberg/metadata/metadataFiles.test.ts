import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toFileUri } from '../io/localFiles';
import {
  metadataVersion,
  publishTableMetadata,
  readTableMetadata,
} from './metadataFiles';
import { unpartitionedSpec } from './partitioning';
import { schemaForNewTable } from './schema';
import { newTableMetadata } from './tableMetadata';

describe('metadata files', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await fs.mkdtemp(join(tmpdir(), 'iceberg-metadata-'));
  });

  afterEach(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('tells versions from file names', () => {
    expect(metadataVersion('file:///t/metadata/v12.metadata.json')).toBe(12);
    expect(
      metadataVersion('s3://b/t/metadata/00007-1b2c3d.metadata.json'),
    ).toBe(7);
    expect(() => metadataVersion('file:///t/metadata/x.json')).toThrow();
  });

  it('publishes to the next free version and never replaces a file', async () => {
    const metadata = newTableMetadata({
      location: toFileUri(folder),
      schema: schemaForNewTable([{ name: 'id', type: 'BIGINT' }]),
      spec: unpartitionedSpec(),
    });
    // v3 is taken, e.g. by a concurrent writer or a crashed one.
    await fs.mkdir(join(folder, 'metadata'));
    await fs.writeFile(join(folder, 'metadata/v3.metadata.json'), 'taken');

    const location = await publishTableMetadata(metadata, 2);

    expect(location).toBe(`${toFileUri(folder)}/metadata/v4.metadata.json`);
    expect(await readTableMetadata(location)).toEqual(metadata);
    expect(
      await fs.readFile(join(folder, 'metadata/v3.metadata.json'), 'utf8'),
    ).toBe('taken');
    // No temporary files are left behind.
    expect((await fs.readdir(join(folder, 'metadata'))).sort()).toEqual([
      'v3.metadata.json',
      'v4.metadata.json',
    ]);
  });
});
