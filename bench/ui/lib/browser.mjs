// Time until a page is usable, in headless Chromium driven by Playwright: a milestone is the first
// moment (performance.now(), i.e. milliseconds since the navigation started) at which its
// elements are in the DOM, laid out (visible) and, when asked, show the expected text. An
// init script watches the DOM (mutations, and every 20 ms for layout) and records the milestones
// in the page itself, so Playwright's polling adds nothing to the figures.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../..',
);
const require = createRequire(path.join(ROOT, 'package.json'));
const { chromium } = require('playwright-core');

/** The launch the repository's browser tests use (playwright.config.ts). */
const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Runs in the page before its scripts; `milestones`: [{ name, selector, text?, all? }]. */
function watchMilestones(milestones) {
  const found = {};
  window.__benchMilestones = found;
  // Visible as Playwright means it: laid out with a non-empty box and not hidden by CSS (a row
  // below the fold counts: the page is usable once it can be scrolled to).
  const inView = el => {
    const r = el.getBoundingClientRect();
    return (
      r.width > 0 &&
      r.height > 0 &&
      getComputedStyle(el).visibility !== 'hidden'
    );
  };
  const reached = m => {
    const els = Array.from(document.querySelectorAll(m.selector));
    if (els.length === 0) return false;
    const ok = el =>
      inView(el) && (!m.text || new RegExp(m.text).test(el.textContent ?? ''));
    return m.all ? els.every(ok) : els.some(ok);
  };
  let timer;
  const tick = () => {
    const now = performance.now();
    let pending = 0;
    for (const m of milestones) {
      if (found[m.name] === undefined) {
        if (reached(m)) found[m.name] = now;
        else pending += 1;
      }
    }
    if (pending === 0) {
      observer.disconnect();
      clearInterval(timer);
    }
  };
  const observer = new MutationObserver(tick);
  observer.observe(document, {
    childList: true,
    subtree: true,
    characterData: true,
  });
  timer = setInterval(tick, 20);
}

const quantile = (sorted, q) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
export function spread(values) {
  const sorted = values
    .filter(v => typeof v === 'number')
    .sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2
      ? sorted[Math.floor(mid)]
      : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    n: sorted.length,
    median,
    min: sorted[0],
    max: sorted.at(-1),
    p90: quantile(sorted, 0.9),
  };
}

/** One navigation: milestones, navigation timing, and (when `bytes`) every response's size. */
async function visit(context, url, page, { timeoutMs, bytes, cacheDisabled }) {
  const tab = await context.newPage();
  if (cacheDisabled) {
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  }
  const responses = [];
  const sized = [];
  if (bytes) {
    tab.on('requestfinished', request => {
      sized.push(
        request.sizes().then(
          async s => {
            const response = await request.response();
            responses.push({
              url: request.url(),
              type: request.resourceType(),
              status: response?.status(),
              encoding:
                (await response?.headerValue('content-encoding')) ?? null,
              bodyBytes: s.responseBodySize,
              headerBytes: s.responseHeadersSize,
            });
          },
          () => undefined,
        ),
      );
    });
  }
  await tab.addInitScript(watchMilestones, page.milestones);
  try {
    await tab.goto(url, { waitUntil: 'commit', timeout: timeoutMs });
    const names = page.milestones.map(m => m.name);
    await tab.waitForFunction(
      ns => ns.every(n => window.__benchMilestones?.[n] !== undefined),
      names,
      { timeout: timeoutMs, polling: 100 },
    );
    const timing = await tab.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        milestones: window.__benchMilestones,
        responseEnd: nav?.responseEnd,
        domContentLoaded: nav?.domContentLoadedEventEnd,
        load: nav?.loadEventEnd || null,
      };
    });
    await Promise.all(sized);
    const interaction = page.interaction
      ? await page.interaction(tab, timeoutMs)
      : undefined;
    return { ...timing, interaction, responses: bytes ? responses : undefined };
  } catch (error) {
    const shot = path.join(page.work, `failed-${page.id}-${Date.now()}.png`);
    await tab.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
    throw new Error(
      `${page.id} (${url}): ${
        error.message.split('\n')[0]
      }; screenshot ${shot}`,
    );
  } finally {
    await tab.close();
  }
}

/**
 * Clicks `locator` and returns the milliseconds until `condition` (run in the page with `arg`)
 * holds, measured in the page: from just before the click is dispatched to the first frame
 * (20 ms polling) at which it holds.
 */
export async function timeInteraction(tab, locator, condition, arg, timeoutMs) {
  await tab.evaluate(() => {
    window.__benchClickAt = undefined;
    window.addEventListener(
      'pointerdown',
      () => {
        window.__benchClickAt ??= performance.now();
      },
      { capture: true, once: true },
    );
  });
  await locator.click({ timeout: timeoutMs });
  const handle = await tab.waitForFunction(
    ([source, a]) => {
      // eslint-disable-next-line no-new-func
      const ok = new Function('arg', `return (${source})(arg)`)(a);
      return ok ? performance.now() - window.__benchClickAt : false;
    },
    [condition.toString(), arg],
    { timeout: timeoutMs, polling: 20 },
  );
  return handle.jsonValue();
}

/**
 * Signs `user` in once (the sign-in page's button of that demo user) and keeps the storage state;
 * then `rounds` rounds over `pages` (the order alternating between rounds): for each page a cold
 * load (a fresh context, HTTP cache disabled) and a warm one (a fresh context that loaded the page
 * once before: its cache holds the app's scripts). Returns every sample.
 */
export async function measurePages({
  baseUrl,
  user,
  pages,
  rounds,
  work,
  executablePath,
  timeoutMs,
  log,
}) {
  const browser = await chromium.launch({
    executablePath,
    args: LAUNCH_ARGS,
    timeout: timeoutMs,
  });
  const viewport = { width: 1440, height: 900 };
  try {
    const storageState = path.join(work, 'storage-state.json');
    {
      const context = await browser.newContext({ viewport });
      const tab = await context.newPage();
      await tab.goto(`${baseUrl}/`, { timeout: timeoutMs });
      await tab
        .getByRole('button', { name: user })
        .click({ timeout: timeoutMs });
      await tab
        .getByRole('button', { name: user })
        .waitFor({ state: 'detached', timeout: timeoutMs });
      await context.storageState({ path: storageState });
      await context.close();
      log(`browser: signed in as ${user}; storage state kept`);
    }
    const samples = [];
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 ? pages : [...pages].reverse();
      for (const page of order) {
        const url = `${baseUrl}${page.path}`;
        const p = { ...page, work };
        // cold: nothing cached, the cache disabled for the navigation
        const cold = await browser.newContext({ viewport, storageState });
        const coldResult = await visit(cold, url, p, {
          timeoutMs,
          bytes: true,
          cacheDisabled: true,
        });
        await cold.close();
        // warm: the page loaded once in the context, then measured
        const warm = await browser.newContext({ viewport, storageState });
        await visit(warm, url, p, { timeoutMs, bytes: false });
        const warmResult = await visit(warm, url, p, {
          timeoutMs,
          bytes: true,
        });
        await warm.close();
        for (const [cache, r] of [
          ['cold', coldResult],
          ['warm', warmResult],
        ]) {
          samples.push({ round, page: page.id, cache, ...r });
        }
        log(
          `round ${round}/${rounds} ${page.id}: cold ${page.milestones
            .map(m => `${m.name} ${Math.round(coldResult.milestones[m.name])}`)
            .join(', ')} ms; warm ${page.milestones
            .map(m => `${m.name} ${Math.round(warmResult.milestones[m.name])}`)
            .join(', ')} ms${
            coldResult.interaction
              ? `; interaction ${JSON.stringify(
                  coldResult.interaction,
                )} cold, ${JSON.stringify(warmResult.interaction)} warm`
              : ''
          }`,
        );
      }
    }
    return samples;
  } finally {
    await browser.close();
  }
}

/** Where the repository's browser tests find Chromium (playwright.config.ts). */
export function chromiumPath() {
  const candidate = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(candidate)) {
    throw new Error(`no Chromium at ${candidate}; set CHROMIUM_PATH`);
  }
  return candidate;
}
