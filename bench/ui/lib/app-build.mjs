// The production build of packages/app for the UI benchmark, reused while its sources are unchanged.
//
// `backstage-cli package build --stats` writes packages/app/dist (the only place app-backend serves
// the app from) with bundle-stats.json. The finished build is moved to bench/.work/ui/app-dist with
// a stamp (a hash of the frontend sources), so it does not linger in the checkout; for a run it is
// linked back as packages/app/dist and the link is removed afterwards.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The frontend's sources: the app, the ingestion plugin and what it imports, lockfile, config. */
const SOURCES = [
  'packages/app/src',
  'packages/app/public',
  'packages/app/package.json',
  'plugins/ingestion/src',
  'plugins/ingestion/package.json',
  'plugins/ingestion-common/src',
  'plugins/ingestion-common/package.json',
  'yarn.lock',
  'app-config.yaml',
];

function listFiles(root, rel) {
  const abs = path.join(root, rel);
  if (!fs.existsSync(abs)) return [];
  if (fs.statSync(abs).isFile()) return [rel];
  return fs
    .readdirSync(abs, { withFileTypes: true })
    .flatMap(d =>
      d.name === 'node_modules' ? [] : listFiles(root, path.join(rel, d.name)),
    )
    .sort();
}

export function frontendSourceHash(root) {
  const hash = crypto.createHash('sha1');
  for (const rel of SOURCES.flatMap(s => listFiles(root, s))) {
    hash
      .update(rel)
      .update('\0')
      .update(fs.readFileSync(path.join(root, rel)));
  }
  return hash.digest('hex');
}

/**
 * Returns { dir, hash, built, seconds } with dir the build (bench/.work/ui/app-dist); builds when
 * the stamp differs from the sources' hash (or `force`), within `timeoutMs`.
 */
export async function ensureAppBuild({ root, work, log, force, timeoutMs }) {
  const dir = path.join(work, 'app-dist');
  const stampFile = path.join(work, 'app-dist.stamp');
  const hash = frontendSourceHash(root);
  const stamp = fs.existsSync(stampFile)
    ? fs.readFileSync(stampFile, 'utf8').trim()
    : '';
  if (!force && stamp === hash && fs.existsSync(path.join(dir, 'index.html'))) {
    log(
      `frontend: reusing the production build (sources ${hash.slice(0, 10)})`,
    );
    return { dir, hash, built: false };
  }
  const distLink = path.join(root, 'packages/app/dist');
  if (fs.existsSync(distLink) && !fs.lstatSync(distLink).isSymbolicLink()) {
    throw new Error(
      'packages/app/dist exists and is not the benchmark link; remove it (another build?)',
    );
  }
  fs.rmSync(distLink, { force: true });
  log(
    `frontend: building packages/app for production (sources ${hash.slice(
      0,
      10,
    )}${
      stamp ? `, last build ${stamp.slice(0, 10)}` : ''
    }); this takes minutes`,
  );
  const started = performance.now();
  const logFile = path.join(work, 'app-build.log');
  const out = fs.openSync(logFile, 'w');
  const child = spawn(
    process.execPath,
    [backstageCli(root), 'package', 'build', '--stats'],
    {
      cwd: path.join(root, 'packages/app'),
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=4096' },
    },
  );
  const code = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
      reject(
        new Error(
          `the frontend build took over ${
            timeoutMs / 1000
          } s (log: ${logFile})`,
        ),
      );
    }, timeoutMs);
    child.on('exit', c => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  if (code !== 0) {
    throw new Error(`the frontend build failed (${code}); log: ${logFile}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(distLink, dir);
  fs.writeFileSync(stampFile, `${hash}\n`);
  const seconds = (performance.now() - started) / 1000;
  log(`frontend: built in ${seconds.toFixed(0)} s`);
  return { dir, hash, built: true, seconds };
}

function backstageCli(root) {
  return path.join(root, 'node_modules/@backstage/cli/bin/backstage-cli');
}

/** Links the build as packages/app/dist for app-backend; returns the function that unlinks it. */
export function linkAppDist(root, dir) {
  const distLink = path.join(root, 'packages/app/dist');
  if (fs.existsSync(distLink) && !fs.lstatSync(distLink).isSymbolicLink()) {
    throw new Error('packages/app/dist exists and is not the benchmark link');
  }
  fs.rmSync(distLink, { force: true });
  fs.symlinkSync(dir, distLink, 'dir');
  return () => {
    try {
      if (fs.lstatSync(distLink).isSymbolicLink()) fs.unlinkSync(distLink);
    } catch {
      // already gone
    }
  };
}
