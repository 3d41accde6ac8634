// Fixed build and render options for golden cases and tests that compare exact output.
import type { CompileOptions } from '../../src/pipeline/compile.js';
import { defaultClassSettings } from '../../src/model/settings.js';

export const goldenOptions: CompileOptions = {
  classes: defaultClassSettings,
  settingsSource: { namespace: undefined, name: 'portico' },
  now: new Date('2026-06-01T00:00:00Z'),
  render: { runtimeDir: '/run/portico', httpPort: 80, httpsPort: 443, listenAddress: undefined },
};
