import {
  expect,
  type APIRequestContext,
  type Browser,
  type Page,
} from '@playwright/test';

/**
 * What the browser tests share: the demo sign-in (as a page or as a token), screenshots when
 * `E2E_SCREENSHOTS=<dir>` is set. Not a test file: Playwright only runs `*.test.ts`.
 */

/** The backend the portal's app talks to (the tests call its APIs directly too). */
export const BACKEND =
  process.env.PLAYWRIGHT_BACKEND_URL ?? 'http://localhost:7007';

/**
 * A demo user's Backstage token, from the demo sign-in's refresh endpoint. The backend refuses
 * connections or answers 503 while it (re)starts: asked again for 2 minutes.
 */
export async function tokenOf(request: APIRequestContext, user: string) {
  let token = '';
  await expect
    .poll(
      async () => {
        const res = await request
          .get(`${BACKEND}/api/auth/demo/refresh`, {
            params: { user },
            headers: { 'X-Requested-With': 'XMLHttpRequest' },
          })
          .catch(() => undefined);
        if (res?.status() === 200) {
          token = ((await res.json()) as any).backstageIdentity.token;
        }
        return res?.status() ?? 'no answer';
      },
      {
        timeout: 120_000,
        intervals: [2_000],
        message: `demo token of ${user}`,
      },
    )
    .toBe(200);
  return token;
}

/** Signs `page` in as a demo user with the sign-in page's button of that user. */
export async function signInPage(page: Page, user: string) {
  await page.goto('/');
  await page.getByRole('button', { name: user }).click();
  // Signed in once the sign-in page is gone.
  await expect(page.getByRole('button', { name: user })).toHaveCount(0);
}

/**
 * A page signed in as a demo user, in its own browser context (no shared session). Users of
 * organizations created at run time have no button on the sign-in page (it lists config's
 * organizations): `remembered` chooses them the way the page remembers a user, then opens `to`.
 */
export async function signIn(
  browser: Browser,
  user: string,
  options: { remembered?: boolean; to?: string } = {},
) {
  const context = await browser.newContext();
  if (options.remembered) {
    await context.addInitScript(name => {
      if (!window.localStorage.getItem('ingestion.demoUser')) {
        window.localStorage.setItem('ingestion.demoUser', name);
      }
    }, user);
    const page = await context.newPage();
    await page.goto(options.to ?? '/');
    return page;
  }
  const page = await context.newPage();
  await signInPage(page, user);
  if (options.to) await page.goto(options.to);
  return page;
}

/**
 * Saves a full-page screenshot as `<E2E_SCREENSHOTS>/<name>.png` when that variable is set. The
 * portal scrolls inside its content, so the window is made tall for the shot.
 */
export async function shot(page: Page, name: string) {
  const dir = process.env.E2E_SCREENSHOTS;
  if (!dir) return;
  const size = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 2400 });
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
  if (size) await page.setViewportSize(size);
}

/**
 * Opens `path` until `check` passes (3 minutes at most): a page whose data the portal seeds or
 * processes in the background shows it after a reload.
 */
export async function visit(
  page: Page,
  path: string,
  check: () => Promise<void>,
) {
  await expect(async () => {
    await page.goto(path);
    await check();
  }).toPass({ timeout: 180_000 });
}
