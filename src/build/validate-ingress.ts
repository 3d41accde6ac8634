// Step 2 of the build: reject an Ingress whose names, hosts or paths fall outside the closed grammars.
// A rejected Ingress drops out alone; every other Ingress is still served.
import type { Diagnostic } from '../model/diagnostic.js';
import { refOf, type Ingress, type IngressBackend } from '../model/kube.js';
import { isDnsLabel, isDnsSubdomain, isHost, isPortName, pathProblem, regexPathProblem } from './grammar.js';
import { ingressLimitProblems } from './limits.js';

/** Every reason this Ingress cannot be served; empty when it is valid. */
export function validateIngress(ingress: Ingress, options: { readonly regexPaths: boolean } = { regexPaths: false }): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const reject = (code: Diagnostic['code'], field: string, message: string): void => {
    problems.push({ severity: 'error', code, object: refOf(ingress), field, message: `rejected: ${message}` });
  };

  // Over a size limit: rejected for that alone, before any per-path work on a possibly huge object.
  const limits = ingressLimitProblems(ingress);
  for (const limit of limits) reject('OBJECT_TOO_LARGE', limit.field, limit.message);
  if (limits.length > 0) return problems;

  const { namespace, name } = ingress.metadata;
  if (!isDnsLabel(namespace)) reject('INVALID_OBJECT', 'metadata.namespace', 'the namespace is not a DNS label');
  if (!isDnsSubdomain(name)) reject('INVALID_OBJECT', 'metadata.name', 'the name is not a DNS subdomain');

  if (ingress.defaultBackend !== undefined) {
    for (const [suffix, message] of backendProblems(ingress.defaultBackend)) reject('INVALID_BACKEND', `spec.defaultBackend${suffix}`, message);
  }
  ingress.rules.forEach((rule, i) => {
    if (rule.host !== undefined && !isHost(rule.host.toLowerCase())) {
      reject('INVALID_HOST', `spec.rules[${i}].host`, 'the host is not a DNS name (a leading "*." is allowed)');
    }
    rule.paths.forEach((path, j) => {
      // The field path is built only for a problem: most paths have none, and every build validates every path.
      const isRegex = options.regexPaths && path.pathType !== 'Exact';
      const problem = path.path === undefined ? undefined : isRegex ? regexPathProblem(path.path) : pathProblem(path.path);
      const backend = path.backend === undefined ? noProblems : backendProblems(path.backend);
      if (problem === undefined && backend.length === 0) return;
      const field = `spec.rules[${i}].http.paths[${j}]`;
      if (problem !== undefined) reject('INVALID_PATH', `${field}.path`, `the path ${problem}`);
      for (const [suffix, message] of backend) reject('INVALID_BACKEND', `${field}.backend${suffix}`, message);
    });
  });
  ingress.tls.forEach((tls, i) => {
    tls.hosts.forEach((host, j) => {
      if (!isHost(host.toLowerCase())) reject('INVALID_HOST', `spec.tls[${i}].hosts[${j}]`, 'the TLS host is not a DNS name');
    });
    if (tls.secretName !== undefined && !isDnsSubdomain(tls.secretName)) {
      reject('INVALID_OBJECT', `spec.tls[${i}].secretName`, 'the Secret name is not a DNS subdomain');
    }
  });
  return problems;
}

const noProblems: readonly (readonly [string, string])[] = [];

/** What is wrong with a backend, as [field suffix, message] pairs; the shared empty list when nothing is. */
function backendProblems(backend: IngressBackend): readonly (readonly [string, string])[] {
  const found: [string, string][] = [];
  if (!isDnsLabel(backend.serviceName)) found.push(['.service.name', 'the Service name is not a DNS label']);
  if ('number' in backend.port) {
    if (!Number.isInteger(backend.port.number) || backend.port.number < 1 || backend.port.number > 65535) {
      found.push(['.service.port.number', 'the port number is not between 1 and 65535']);
    }
  } else if (!isPortName(backend.port.name)) {
    found.push(['.service.port.name', 'the port name is not a valid port name']);
  }
  return found.length === 0 ? noProblems : found;
}
