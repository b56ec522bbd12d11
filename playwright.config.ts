import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests in headless Debian Chromium against a running portal (scripts/e2e-smoke.sh
 * starts it). Playwright's own browser downloads are not used.
 */
export default defineConfig({
  testDir: 'packages/app/e2e-tests',
  timeout: 90_000,
  expect: { timeout: 30_000 },
  forbidOnly: true,
  retries: 0,
  workers: 1,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'e2e-test-report' }],
  ],
  outputDir: 'node_modules/.cache/e2e-test-results',
  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // The machine's network is closed: background connections would only fail.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
