// Renders the app icons in public/icons from public/icons/icon.svg with the system Chromium
// (through Playwright, already installed for the end-to-end tests):
//   node scripts/icons.mjs
// icon-192/512: rounded, transparent corners ("any"); maskable-192/512: full-bleed square with
// the mark inside the central safe zone; apple-touch-icon: 180 px full-bleed square.
import { createRequire } from 'module';
import { readFileSync } from 'fs';
import { fileURLToPath } from 'url';
import path from 'path';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'end2end', 'package.json'));
const { chromium } = require('@playwright/test');

const source = readFileSync(path.join(root, 'public/icons/icon.svg'), 'utf8');

// Full-bleed background; the mark scaled about the centre (maskable keeps it in the safe zone).
function variant(svg, { square, scale }) {
  let out = svg;
  if (square) out = out.replace('rx="112"', 'rx="0"');
  if (scale !== 1) {
    const t = 256 * (1 - scale);
    out = out.replace('<g id="mark">', `<g id="mark" transform="translate(${t} ${t}) scale(${scale})">`);
  }
  return out;
}

const icons = [
  { file: 'icon-192.png', size: 192, square: false, scale: 1 },
  { file: 'icon-512.png', size: 512, square: false, scale: 1 },
  { file: 'icon-maskable-192.png', size: 192, square: true, scale: 0.8 },
  { file: 'icon-maskable-512.png', size: 512, square: true, scale: 0.8 },
  { file: 'apple-touch-icon.png', size: 180, square: true, scale: 0.9 },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
for (const icon of icons) {
  const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size } });
  const svg = variant(source, icon).replace('<svg ', `<svg width="${icon.size}" height="${icon.size}" `);
  await page.setContent(`<!DOCTYPE html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.screenshot({ path: path.join(root, 'public/icons', icon.file), omitBackground: true });
  await page.close();
  console.log(`public/icons/${icon.file}`);
}
await browser.close();
