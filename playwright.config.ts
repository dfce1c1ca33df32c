// End-to-end tests: real Chromium (Debian's package; nothing is downloaded)
// against the production build started exactly as `npm run serve` starts it,
// on its embedded defaults (PGlite, a private Redis, the in-process worker).
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const port = Number(process.env.SLUICE_E2E_PORT ?? 3100);
export const e2eDataDir = path.resolve(import.meta.dirname, 'test-results', 'e2e-data');

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${port}`,
    browserName: 'chromium',
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    },
  },
  webServer: {
    // Each e2e run starts from an empty data folder: new PGlite database, no users.
    command: `rm -rf '${e2eDataDir}' && npm run serve`,
    url: `http://localhost:${port}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORT: String(port),
      SLUICE_DATA_DIR: e2eDataDir,
      // Embedded defaults: no DATABASE_URL, no REDIS_URL.
      DATABASE_URL: '',
      REDIS_URL: '',
    },
  },
});
