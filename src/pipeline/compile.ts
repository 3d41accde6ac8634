// The one code path from objects to nginx.conf, shared by the CLI and the controller: build, then render.
import { buildModel, type BuildOptions } from '../build/build-model.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { NginxModel } from '../model/nginx-model.js';
import type { Snapshot } from '../model/snapshot.js';
import { renderConfig, type ConfigTemplate, type RenderedConfig, type RenderOptions } from '../render/render-config.js';

export interface CompileOptions extends BuildOptions {
  readonly render: RenderOptions;
}

export interface Compilation {
  readonly model: NginxModel;
  readonly diagnostics: readonly Diagnostic[];
  readonly rendered: RenderedConfig;
}

export function compile(snapshot: Snapshot, template: ConfigTemplate, options: CompileOptions): Compilation {
  const { model, diagnostics } = buildModel(snapshot, options);
  return { model, diagnostics, rendered: renderConfig(model, template, options.render) };
}
