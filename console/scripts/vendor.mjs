// Copies the pinned chart library from node_modules (installed by `npm ci` from package-lock.json) into the
// application's static resources, with its licences and a VERSION file, so that the console needs no CDN and
// the Maven build needs no npm. `--check` only verifies that the committed copy is exactly what this would write.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, '..', 'node_modules');
const target = join(here, '..', '..', 'src', 'main', 'resources', 'META-INF', 'resources', 'console', 'vendor', 'chart.js');
const check = process.argv.includes('--check');

const pkg = (name) => JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8'));
const chart = pkg('chart.js');
const color = pkg('@kurkle/color'); // bundled inside chart.umd.min.js, so its licence ships too
const bundle = readFileSync(join(modules, 'chart.js', 'dist', 'chart.umd.min.js'));
const sha256 = createHash('sha256').update(bundle).digest('hex');

const files = {
  'chart.umd.min.js': bundle,
  'LICENSE.md': readFileSync(join(modules, 'chart.js', 'LICENSE.md')),
  'LICENSE-kurkle-color.md': readFileSync(join(modules, '@kurkle', 'color', 'LICENSE.md')),
  'VERSION': Buffer.from(
    `chart.js ${chart.version} ${chart.license} dist/chart.umd.min.js sha256=${sha256}\n` +
    `@kurkle/color ${color.version} ${color.license} (bundled in chart.umd.min.js)\n` +
    'Copied by console/scripts/vendor.mjs from the npm packages pinned in console/package-lock.json; do not edit.\n'),
};

let stale = [];
if (!check) mkdirSync(target, { recursive: true });
for (const [name, content] of Object.entries(files)) {
  const path = join(target, name);
  if (check) {
    if (!existsSync(path) || !readFileSync(path).equals(content)) stale.push(name);
  } else {
    writeFileSync(path, content);
  }
}
if (stale.length) {
  console.error(`vendor copy is stale: ${stale.join(', ')}; run: cd console && npm ci && npm run vendor`);
  process.exit(1);
}
console.log(`${check ? 'checked' : 'wrote'} chart.js ${chart.version} (sha256 ${sha256}) in ${target}`);
