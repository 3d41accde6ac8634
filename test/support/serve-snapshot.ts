// Compiles a snapshot the way the CLI does, writes its runtime files, and serves it with a real nginx on
// loopback ports, for integration tests.
import type { Diagnostic } from '../../src/model/diagnostic.js';
import type { KubeObject } from '../../src/model/kube.js';
import type { NginxModel } from '../../src/model/nginx-model.js';
import { defaultClassSettings, type ClassSettings } from '../../src/model/settings.js';
import { snapshotOf } from '../../src/model/snapshot.js';
import { compile, type CompileOptions } from '../../src/pipeline/compile.js';
import { loadTemplates } from '../../src/runtime/load-templates.js';
import { writeRuntimeFiles } from '../../src/runtime/write-runtime-files.js';
import { startNginx, type RunningNginx } from './nginx-harness.js';
import { freePorts } from './ports.js';
import { makeTempDir, removeDir } from './temp-dir.js';

export interface ServedConfig {
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly runtimeDir: string;
  readonly model: NginxModel;
  readonly diagnostics: readonly Diagnostic[];
  readonly config: string;
  readonly nginx: RunningNginx;
  /** Re-renders from new objects and reloads nginx. */
  update(objects: readonly KubeObject[]): Promise<void>;
  stop(): Promise<void>;
}

export async function serveObjects(objects: readonly KubeObject[], classes: ClassSettings = defaultClassSettings): Promise<ServedConfig> {
  const runtimeDir = await makeTempDir('portico-it-');
  const [httpPort, httpsPort] = (await freePorts(2)) as [number, number];
  const options: CompileOptions = {
    classes,
    settingsSource: { namespace: undefined, name: 'portico' },
    now: new Date(),
    render: { runtimeDir, httpPort, httpsPort, listenAddress: '127.0.0.1' },
  };
  const template = await loadTemplates();
  const build = async (input: readonly KubeObject[]) => {
    const result = compile(snapshotOf(input), template, options);
    await writeRuntimeFiles(result.rendered, runtimeDir);
    return result;
  };
  let result = await build(objects);
  const nginx = await startNginx({ config: result.rendered.config, runtimeDir, waitForPort: httpPort });
  const served: ServedConfig = {
    httpPort,
    httpsPort,
    runtimeDir,
    get model() {
      return result.model;
    },
    get diagnostics() {
      return result.diagnostics;
    },
    get config() {
      return result.rendered.config;
    },
    nginx,
    async update(next) {
      result = await build(next);
      await nginx.reload(result.rendered.config);
    },
    async stop() {
      await nginx.stop();
      await removeDir(runtimeDir);
    },
  };
  return served;
}
