// Runs every example (examples/*.mjs) with node, in name order, and fails on the first that
// fails. `npm run examples` builds the package first: the examples import it by its name.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
for (const name of readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort()) {
  console.log(`\n=== node examples/${name}`);
  const run = spawnSync(process.execPath, [`${dir}${name}`], { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`examples/${name} failed (exit ${run.status ?? run.signal})`);
    process.exit(1);
  }
}
