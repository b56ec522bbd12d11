// Bundle size of the production build from its rspack stats (bundle-stats.json, written by
// `backstage-cli package build --stats`): the JS chunks that hold a plugin's modules, their bytes
// on disk (minified) and gzipped, and the plugin's own share of them.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** Module groups: a module belongs to a group when its path contains one of the markers. */
export const GROUPS = {
  ingestion: ['/plugins/ingestion/', '/plugins/ingestion-common/'],
  catalog: ['/node_modules/@backstage/plugin-catalog/'],
};

const groupOf = name => {
  for (const [group, markers] of Object.entries(GROUPS)) {
    if (markers.some(m => name.includes(m))) return group;
  }
  return undefined;
};

/**
 * Reads the stats once per build and keeps the summary next to it (bundle-summary.json): the
 * stats file of this app is a quarter of a gigabyte.
 */
export function bundleSummary(distDir) {
  const cached = path.join(distDir, 'bundle-summary.json');
  if (fs.existsSync(cached)) return JSON.parse(fs.readFileSync(cached, 'utf8'));
  const stats = JSON.parse(
    fs.readFileSync(path.join(distDir, 'bundle-stats.json'), 'utf8'),
  );
  // Per chunk: source bytes of its modules by group (concatenated modules counted by their parts).
  const chunkModules = new Map();
  const add = (chunkId, name, size) => {
    const entry = chunkModules.get(chunkId) ?? { total: 0, groups: {} };
    entry.total += size;
    const group = groupOf(name);
    if (group) entry.groups[group] = (entry.groups[group] ?? 0) + size;
    chunkModules.set(chunkId, entry);
  };
  const sourceBytes = {};
  const moduleCount = {};
  for (const m of stats.modules ?? []) {
    const parts = m.modules?.length ? m.modules : [m];
    for (const part of parts) {
      const name = part.identifier ?? part.name ?? '';
      const group = groupOf(name);
      if (group) {
        sourceBytes[group] = (sourceBytes[group] ?? 0) + (part.size ?? 0);
        moduleCount[group] = (moduleCount[group] ?? 0) + 1;
      }
      for (const chunkId of m.chunks ?? [])
        add(String(chunkId), name, part.size ?? 0);
    }
  }
  const chunks = stats.chunks.map(c => {
    const files = (c.files ?? []).filter(file => file.endsWith('.js'));
    let raw = 0;
    let gzip = 0;
    for (const file of files) {
      const bytes = fs.readFileSync(path.join(distDir, file));
      raw += bytes.length;
      gzip += zlib.gzipSync(bytes, { level: 9 }).length;
    }
    const mods = chunkModules.get(String(c.id)) ?? { total: 0, groups: {} };
    return {
      id: String(c.id),
      files,
      initial: Boolean(c.initial),
      raw,
      gzip,
      moduleBytes: mods.total,
      groupBytes: mods.groups,
    };
  });
  const groups = {};
  for (const group of Object.keys(GROUPS)) {
    const own = chunks.filter(c => c.groupBytes[group]);
    const share = c =>
      c.moduleBytes ? c.groupBytes[group] / c.moduleBytes : 0;
    groups[group] = {
      markers: GROUPS[group],
      modules: moduleCount[group] ?? 0,
      sourceBytes: sourceBytes[group] ?? 0,
      chunks: own.length,
      initialChunks: own.filter(c => c.initial).length,
      chunksRaw: own.reduce((n, c) => n + c.raw, 0),
      chunksGzip: own.reduce((n, c) => n + c.gzip, 0),
      // The group's share of each chunk's minified bytes, by its share of the chunk's source bytes.
      attributedRaw: Math.round(own.reduce((n, c) => n + c.raw * share(c), 0)),
      attributedGzip: Math.round(
        own.reduce((n, c) => n + c.gzip * share(c), 0),
      ),
      // Chunks that hold (almost) nothing but the group's modules: what it adds on its own.
      ownChunks: own
        .filter(c => share(c) >= 0.5)
        .map(c => ({
          files: c.files,
          raw: c.raw,
          gzip: c.gzip,
          share: share(c),
        })),
    };
  }
  const all = chunks.filter(c => c.files.length);
  const summary = {
    bundler: stats.rspackVersion
      ? `rspack ${stats.rspackVersion}`
      : `webpack ${stats.version}`,
    totalJs: {
      chunks: all.length,
      raw: all.reduce((n, c) => n + c.raw, 0),
      gzip: all.reduce((n, c) => n + c.gzip, 0),
      initialRaw: all.filter(c => c.initial).reduce((n, c) => n + c.raw, 0),
      initialGzip: all.filter(c => c.initial).reduce((n, c) => n + c.gzip, 0),
    },
    groups,
    chunkFiles: Object.fromEntries(
      all.flatMap(c =>
        c.files.map(file => [path.basename(file), c.groupBytes]),
      ),
    ),
  };
  fs.writeFileSync(cached, JSON.stringify(summary));
  return summary;
}
