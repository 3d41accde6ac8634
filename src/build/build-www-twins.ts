// Step 7 of the build: from-to-www-redirect. Each host of an Ingress that asks for it gets its www. twin (or
// the bare name of a www. host) as a server that redirects every request to the host, unless some Ingress
// serves the twin itself.
import { coversHost } from '../certificates/check-certificate.js';
import type { AnnotationPolicies } from '../annotations/registry.js';
import { directive, expansion, keyword, noDirectives } from '../model/directive.js';
import type { Ingress } from '../model/kube.js';
import type { TlsBinding, TlsCertificate, VirtualServer } from '../model/nginx-model.js';
import { isHost } from './grammar.js';

export function buildWwwTwins(
  ingresses: readonly Ingress[],
  annotationsOf: (ingress: Ingress) => AnnotationPolicies,
  servedHosts: ReadonlySet<string>,
  bindings: ReadonlyMap<string, TlsBinding>,
  certificates: readonly TlsCertificate[],
): VirtualServer[] {
  const twins = new Map<string, VirtualServer>();
  for (const ingress of ingresses) {
    if (annotationsOf(ingress)['from-to-www-redirect'] !== true) continue;
    for (const rule of ingress.rules) {
      const host = rule.host?.toLowerCase();
      if (host === undefined || host.startsWith('*.')) continue;
      const twin = host.startsWith('www.') ? host.slice(4) : `www.${host}`;
      if (servedHosts.has(twin) || twins.has(twin) || !isHost(twin) || !twin.includes('.')) continue;
      twins.set(twin, {
        host: twin,
        tls: twinBinding(bindings.get(host), twin, certificates),
        directives: noDirectives,
        locations: [
          {
            modifier: '',
            path: '/',
            action: { kind: 'status', code: 404 },
            sslRedirect: false,
            route: undefined,
            directives: [directive('return', keyword(308), expansion(`$scheme://${host}$request_uri`, ['scheme', 'request_uri']))],
          },
        ],
      });
    }
  }
  return [...twins.values()];
}

/** The host's certificate, when it also covers the twin (else HTTPS to the twin gets the default server). */
function twinBinding(binding: TlsBinding | undefined, twin: string, certificates: readonly TlsCertificate[]): TlsBinding | undefined {
  if (binding?.kind !== 'secret') return undefined;
  const certificate = certificates.find((c) => c.name === binding.certificate);
  return certificate !== undefined && coversHost(certificate.subjectAltNames, twin) ? binding : undefined;
}
