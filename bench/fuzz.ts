// The long hostile-input run: the same property as test/property (generated hostile clusters, real nginx),
// for many more clusters; prints and writes bench/results/fuzz-latest.json.
// Usage: npm run fuzz -- [--runs N] [--seed S]
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runHostileInputProperty } from '../test/support/hostile-input-property.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '2000' }, seed: { type: 'string' } } });
const runs = Number(values.runs);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) throw new Error('--runs and --seed take integers');

const started = Date.now();
const report = await runHostileInputProperty({ runs, seed, clusterSize: { min: 4, max: 16 }, routesPerRun: 8 });
const result = { date: new Date().toISOString(), durationSeconds: Math.round((Date.now() - started) / 1000), ...report };
const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
await mkdir(dir, { recursive: true });
await writeFile(`${dir}fuzz-latest.json`, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
