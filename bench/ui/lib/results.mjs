// The UI benchmark's figures: medians and spreads per page, the JS each page received, the
// printed report.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { f, table } from '../../lib/util.mjs';
import { spread } from './browser.mjs';

const ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../..',
);

export function summarize(samples) {
  const rows = [];
  const get = (page, cache, fn) =>
    spread(samples.filter(s => s.page === page && s.cache === cache).map(fn));
  const usable = s => Math.max(...Object.values(s.milestones));
  const scenarios = [
    {
      id: 'dashboard',
      label: 'Ingestion dashboard usable (health counts + first pipeline row)',
      page: 'ingestion',
      value: usable,
    },
    {
      id: 'pipelines',
      label: 'Ingestion pipelines list, first row of page 1',
      page: 'ingestion',
      value: s => s.milestones.table,
    },
    {
      id: 'catalog',
      label: 'Catalog entity list (kind component), first row',
      page: 'catalog',
      value: usable,
    },
    {
      id: 'pipelines-failed',
      label: 'then: filter "Last run failed" (click → its first row)',
      page: 'ingestion',
      value: s => s.interaction?.filterFailedMs,
      interaction: true,
    },
  ];
  // The same round's catalog load: a machine whose load drifts weighs on both sides of a ratio.
  const catalogScenario = scenarios.find(sc => sc.id === 'catalog');
  const perRound = (sc, cache) =>
    spread(
      samples
        .filter(s => s.page === sc.page && s.cache === cache)
        .map(s => {
          const peer = samples.find(
            x =>
              x.page === 'catalog' && x.cache === cache && x.round === s.round,
          );
          return peer ? sc.value(s) / catalogScenario.value(peer) : undefined;
        }),
    );
  for (const sc of scenarios) {
    rows.push({
      id: sc.id,
      label: sc.label,
      interaction: Boolean(sc.interaction),
      cold: get(sc.page, 'cold', sc.value),
      warm: get(sc.page, 'warm', sc.value),
      ratioPerRound: sc.interaction
        ? {}
        : { cold: perRound(sc, 'cold'), warm: perRound(sc, 'warm') },
      domContentLoaded: sc.interaction
        ? {}
        : {
            cold: get(sc.page, 'cold', s => s.domContentLoaded),
            warm: get(sc.page, 'warm', s => s.domContentLoaded),
          },
    });
  }
  const catalog = rows.find(r => r.id === 'catalog');
  for (const r of rows.filter(x => !x.interaction)) {
    r.ratioToCatalog = {
      cold: r.cold && catalog.cold ? r.cold.median / catalog.cold.median : null,
      warm: r.warm && catalog.warm ? r.warm.median / catalog.warm.median : null,
    };
  }
  return rows.map(r => ({ ratioToCatalog: {}, ...r }));
}

/** JS bytes a cold load of each page received (median over the rounds), and those only it loaded. */
export function scriptBytes(samples, bundle, PAGES) {
  const out = {};
  const scriptsOf = s =>
    (s.responses ?? []).filter(r => r.type === 'script' && r.status === 200);
  const urlsOf = page =>
    new Set(
      samples
        .filter(s => s.page === page && s.cache === 'cold')
        .flatMap(s => scriptsOf(s).map(r => r.url)),
    );
  for (const page of PAGES) {
    const cold = samples.filter(s => s.page === page.id && s.cache === 'cold');
    const others = PAGES.filter(p => p.id !== page.id).map(p => urlsOf(p.id));
    const per = cold.map(s => {
      const scripts = scriptsOf(s);
      const only = scripts.filter(r => !others.some(set => set.has(r.url)));
      const ingestionChunks = scripts.filter(
        r =>
          bundle.chunkFiles[path.basename(new URL(r.url).pathname)]?.ingestion,
      );
      return {
        scripts: scripts.length,
        bytes: scripts.reduce((n, r) => n + r.bodyBytes, 0),
        onlyThisPage: only.length,
        onlyThisPageBytes: only.reduce((n, r) => n + r.bodyBytes, 0),
        withIngestionModules: ingestionChunks.length,
        withIngestionModulesBytes: ingestionChunks.reduce(
          (n, r) => n + r.bodyBytes,
          0,
        ),
        encodings: [...new Set(scripts.map(r => r.encoding ?? 'identity'))],
      };
    });
    const median = key => spread(per.map(x => x[key]))?.median ?? null;
    out[page.id] = {
      scripts: median('scripts'),
      bytes: median('bytes'),
      onlyThisPage: median('onlyThisPage'),
      onlyThisPageBytes: median('onlyThisPageBytes'),
      withIngestionModules: median('withIngestionModules'),
      withIngestionModulesBytes: median('withIngestionModulesBytes'),
      encodings: [...new Set(per.flatMap(x => x.encodings))],
    };
  }
  return out;
}

const kb = bytes =>
  bytes === null || bytes === undefined ? '-' : f(bytes / 1024, 0);
const ratio = (ofMedians, rounds) =>
  ofMedians === null || ofMedians === undefined
    ? '-'
    : `${f(ofMedians, 2)}${
        rounds
          ? ` [${f(rounds.median, 2)} (${f(rounds.min, 2)}–${f(
              rounds.max,
              2,
            )})]`
          : ''
      }`;
const ms = s => (s ? `${f(s.median, 0)} (${f(s.min, 0)}–${f(s.max, 0)})` : '-');

/** `run`: the results JSON; `PAGES`: the pages measured. */
export function report(run, { o, PAGES, baseUrl, work: WORK }) {
  const out = [''];
  out.push(`Ingestion UI benchmark - ${run.startedAt}`);
  out.push(
    `machine: ${run.machine.cpus} cores, load average ${run.machine.loadavg
      .map(x => f(x, 2))
      .join(' ')} at the start, ${run.machine.loadavgEnd
      .map(x => f(x, 2))
      .join(' ')} at the end; Chromium ${run.browser.version}`,
  );
  out.push(
    `data: ${run.dataset.organizations
      .map(x => `${x.organization_id} ${x.pipelines} pipelines/${x.runs} runs`)
      .join(', ')} (${run.dataset.size}); catalog: ${
      run.catalog.components
    } components visible to ${o.user}, ${run.catalog.stitched} of ${
      run.catalog.emitted
    } entities stitched, after ${f(run.catalog.seconds, 0)} s`,
  );
  out.push(
    `frontend: production build (${
      run.build.built ? `built in ${f(run.build.seconds, 0)} s` : 'reused'
    }, sources ${run.build.hash.slice(
      0,
      10,
    )}) served by app-backend at ${baseUrl}; user ${o.user}, ${
      o.rounds
    } rounds`,
  );
  out.push('');
  out.push(
    'Time from navigation start until usable, ms: median (min–max); cold = fresh context, cache disabled; warm = second load in a context',
  );
  out.push(
    table(
      [
        'page',
        'cold',
        'warm',
        'cold ÷ catalog',
        'warm ÷ catalog',
        'DOMContentLoaded cold',
      ],
      run.pages.map(r => [
        r.label,
        ms(r.cold),
        ms(r.warm),
        ratio(r.ratioToCatalog.cold, r.ratioPerRound?.cold),
        ratio(r.ratioToCatalog.warm, r.ratioPerRound?.warm),
        ms(r.domContentLoaded.cold),
      ]),
    ),
  );
  out.push(
    '  ÷ catalog: of the medians; in brackets the median (min–max) of the ratios within each round',
  );
  const b = run.bundle;
  out.push('');
  out.push(
    `Bundle (${
      b.bundler
    }; JS files on disk, minified; gzip -9 of each file): whole app ${kb(
      b.totalJs.raw,
    )} KB / ${kb(b.totalJs.gzip)} KB gzip in ${
      b.totalJs.chunks
    } chunks, initial ${kb(b.totalJs.initialRaw)} / ${kb(
      b.totalJs.initialGzip,
    )} KB`,
  );
  out.push(
    table(
      [
        'plugin',
        'modules',
        'source KB',
        'chunks (initial)',
        'chunks KB',
        'chunks gzip KB',
        'its share KB',
        'share gzip KB',
      ],
      Object.entries(b.groups).map(([id, g]) => [
        id === 'ingestion'
          ? 'ingestion (plugins/ingestion + ingestion-common)'
          : 'catalog (@backstage/plugin-catalog)',
        g.modules,
        kb(g.sourceBytes),
        `${g.chunks} (${g.initialChunks})`,
        kb(g.chunksRaw),
        kb(g.chunksGzip),
        kb(g.attributedRaw),
        kb(g.attributedGzip),
      ]),
    ),
  );
  out.push(
    "  chunks: every JS chunk holding at least one of the plugin's modules; its share: each chunk's bytes times the plugin's share of the chunk's module bytes",
  );
  out.push('');
  out.push(
    'JS received by a cold load (median over the rounds; bytes as transferred)',
  );
  out.push(
    table(
      [
        'page',
        'scripts',
        'KB',
        'only this page',
        'KB only this page',
        'chunks with ingestion modules',
        'KB',
        'encoding',
      ],
      PAGES.map(p => {
        const s = run.scripts[p.id];
        return [
          p.label,
          s.scripts,
          kb(s.bytes),
          s.onlyThisPage,
          kb(s.onlyThisPageBytes),
          s.withIngestionModules,
          kb(s.withIngestionModulesBytes),
          s.encodings.join(','),
        ];
      }),
    ),
  );
  out.push('');
  out.push(
    `full results: ${path.relative(
      ROOT,
      run.resultsFile,
    )}; backend log: ${path.relative(ROOT, path.join(WORK, 'backend.log'))}`,
  );
  return out.join('\n');
}
