/**
 * The lineage layout worker's entry, as `layoutClient.ts` names it: `./layoutWorker.esm`.
 *
 * Bundlers resolve that name to this file while the plugin is used as source, and to
 * `layoutWorker.esm.js` — the build of `layoutWorker.ts`, which serves on its own when loaded as a
 * worker — in the published package (the Backstage CLI's build names each module `<name>.esm.js`).
 * One name thus finds a worker both ways. The explicit call keeps the entry from being dropped as
 * side-effect free.
 */
import { serveLayouts, type LayoutWorkerScope } from './layoutWorker';

serveLayouts(self as unknown as LayoutWorkerScope);
