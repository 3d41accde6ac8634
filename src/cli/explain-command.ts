// portico explain: which Ingress, rule, path, Service and endpoints serve a URL, or why it gets 404/503.
import { Command, InvalidArgumentError } from 'commander';
import { buildModel } from '../build/build-model.js';
import { explainRequest, parseRequestTarget, type Explanation, type RequestTarget } from '../explain/explain-request.js';
import { formatDiagnostic } from '../model/diagnostic.js';
import { loadInput, reportLines } from './load-input.js';
import { addSharedOptions, compileOptionsOf, parseFormat, type SharedOptions } from './shared-options.js';

interface ExplainOptions extends SharedOptions {
  readonly output: 'text' | 'json';
}

export function explainCommand(): Command {
  return addSharedOptions(new Command('explain').description('say what serves a URL, and why'))
    .argument('<url>', 'an http:// or https:// URL', parseUrl)
    .option('-o, --output <format>', 'text or json', parseFormat, 'text')
    .action(async (target: RequestTarget, options: ExplainOptions) => {
      const input = await loadInput(options.file);
      for (const line of reportLines(input.problems, input.diagnostics)) process.stderr.write(`${line}\n`);
      const { model, diagnostics } = buildModel(input.snapshot, compileOptionsOf(options));
      const explanation = explainRequest(model, diagnostics, target);
      process.stdout.write(options.output === 'json' ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation));
    });
}

function parseUrl(value: string): RequestTarget {
  try {
    return parseRequestTarget(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

export function formatExplanation(e: Explanation): string {
  const lines = [`request:  ${e.request.scheme}://${e.request.host}${e.request.path}`];
  const server = e.server.kind === 'default' ? 'the default server (no rule names this host)' : `${e.server.host} (${e.server.kind} host)`;
  lines.push(`server:   ${server}`);
  if (e.location !== undefined) lines.push(`location: ${e.location.modifier === '=' ? '= ' : ''}${e.location.path}`);
  if (e.route !== undefined) {
    const r = e.route;
    lines.push(`ingress:  ${r.ingress.namespace}/${r.ingress.name} ${r.field} (${r.pathType === 'DefaultBackend' ? 'default backend' : `${r.pathType} ${r.path}`})`);
    lines.push(`service:  ${r.service} port ${r.servicePort}${e.upstream === undefined ? '' : ` (upstream ${e.upstream.name})`}`);
  }
  const outcome = e.outcome;
  if (outcome.kind === 'proxy') lines.push(`endpoints: ${outcome.endpoints.join(', ')}`, `result:   proxied`);
  else if (outcome.kind === 'redirect') lines.push(`result:   ${outcome.status} redirect to ${outcome.location}`);
  else lines.push(`result:   ${outcome.status}: ${e.reason}`);
  for (const d of e.diagnostics) lines.push(`note:     ${formatDiagnostic(d)}`);
  return `${lines.join('\n')}\n`;
}
