#!/usr/bin/env node
// Renders images/icon.svg to the 128×128 images/icon.png the Marketplace and VS Code show
// (`node scripts/render-icon.mjs`; needs Debian chromium). The PNG is committed.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const images = join(new URL('..', import.meta.url).pathname, 'images');
const svg = readFileSync(join(images, 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: join(images, 'icon.png'), omitBackground: true });
} finally {
  await browser.close();
}
