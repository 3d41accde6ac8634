// Property-based hostile input, bounded for CI: generated clusters of adversarial Ingresses, Services,
// Secrets and annotations, each compiled, checked for injections, served by a real nginx and requested.
// `npm run fuzz` runs the same property for much longer (bench/fuzz.ts).
import { expect } from 'chai';
import { runHostileInputProperty } from '../support/hostile-input-property.js';

/** Enough for ~15 s on a shared 2-core machine; PORTICO_FUZZ_RUNS and PORTICO_FUZZ_SEED override. */
const runs = Number(process.env['PORTICO_FUZZ_RUNS'] ?? 100);
const seed = Number(process.env['PORTICO_FUZZ_SEED'] ?? Date.now() % 2 ** 31);

describe('hostile input, property-based (fast-check, real nginx)', function () {
  this.timeout(120000);

  it(`rejects or safely serves ${runs} generated clusters of hostile objects, and routes them as the model says (seed ${seed})`, async () => {
    const report = await runHostileInputProperty({ runs, seed, clusterSize: { min: 4, max: 12 }, routesPerRun: 6 });
    // The property throws on the first bad cluster; these say the run really tried what it claims.
    expect(report.runs).to.equal(runs);
    expect(report.injections).to.equal(0);
    expect(report.rejected).to.be.greaterThan(0);
    expect(report.servedIngresses).to.be.greaterThan(0);
    expect(report.routesRequested).to.be.greaterThan(runs);
    console.log(`      hostile input: ${JSON.stringify(report)}`);
  });
});
