// The render: NginxModel → nginx.conf text and the files it refers to. Pure: same model, same bytes.
import Handlebars from 'handlebars';
import type { NginxModel } from '../model/nginx-model.js';
import { runtimeLayout } from './runtime-layout.js';
import { toConfigView, type ConfigView, type ListenOptions } from './view-model.js';

export interface TemplateSources {
  readonly main: string;
  readonly partials: Readonly<Record<string, string>>;
}

export type ConfigTemplate = (view: ConfigView) => string;

export interface RenderOptions extends ListenOptions {
  /** Absolute. */
  readonly runtimeDir: string;
}

/** A file the config refers to, to be written before nginx reads the config. */
export interface RuntimeFile {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

export interface RenderedConfig {
  readonly config: string;
  readonly files: readonly RuntimeFile[];
}

/**
 * Compiles the templates in an isolated Handlebars environment with no helpers: the view is pre-quoted, so
 * HTML escaping is off (it would corrupt nginx text), and `strict` makes a missing field an error.
 */
export function compileTemplates(sources: TemplateSources): ConfigTemplate {
  const handlebars = Handlebars.create();
  for (const [name, source] of Object.entries(sources.partials)) {
    handlebars.registerPartial(name, handlebars.compile(source, { noEscape: true, strict: true, preventIndent: true }));
  }
  return handlebars.compile<ConfigView>(sources.main, { noEscape: true, strict: true, preventIndent: true });
}

export function renderConfig(model: NginxModel, template: ConfigTemplate, options: RenderOptions): RenderedConfig {
  const layout = runtimeLayout(options.runtimeDir);
  const config = template(toConfigView(model, layout, options));
  const files = model.certificates.flatMap((certificate) => [
    { path: layout.certificateFile(certificate.name), content: certificate.material.certificatePem, mode: 0o600 },
    { path: layout.keyFile(certificate.name), content: certificate.material.keyPem, mode: 0o600 },
  ]);
  return { config, files };
}
