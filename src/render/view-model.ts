// NginxModel → the view the templates print: every value already an nginx token, every choice already made,
// so the templates hold no logic. This is also where the upstream mode lives: static `server` lines today;
// a Lua-balanced mode would change only this file and the upstream template, never the build.
//
// TLS: only the default server listens with `ssl`; it names its certificate through a map on the SNI name,
// and the per-host servers share its TLS context. nginx then builds one TLS context instead of one per
// host (OpenSSL 3 makes each cost ~0.7 ms and ~300 KB at every parse; 1.3k TLS hosts took `nginx -t` from
// 0.3 s to 1.3 s), at the price of loading the host's certificate files in the worker at each full
// handshake. A renewed certificate is then served without a reload.
import { blockDirective, directive, expansion, keyword, literal, variable, type Directive } from '../model/directive.js';
import { affinityVariable, type BackendProtocol, type Location, type NginxModel, type TlsBinding, type Upstream, type VirtualServer } from '../model/nginx-model.js';
import { formatDirectives } from './format-directives.js';
import { addHeaderDirectives, withInheritedHeaders } from './add-headers.js';
import { proxyHeaderDirectives, withProxyHeaders } from './proxy-headers.js';
import { bareKeyword, quote, quoteExpansion, quoteMapKey, quoteRegex, variableReference } from './quote.js';
import { DEFAULT_CERTIFICATE, type RuntimeLayout } from './runtime-layout.js';

export interface ListenOptions {
  /** An IPv4/IPv6 address, or undefined for every address. */
  readonly listenAddress: string | undefined;
  readonly httpPort: number;
  readonly httpsPort: number;
}

export interface ConfigView {
  readonly pidFile: string;
  readonly errorLog: string;
  readonly accessLog: string;
  readonly tempPaths: readonly { readonly directive: string; readonly path: string }[];
  /** Sizes for the server-name and certificate-map hashes, which hold the same host names. */
  readonly hashBucketSize: number;
  readonly hashMaxSize: number;
  /** `240s`: how long old workers keep long-lived connections after a reload. */
  readonly workerShutdownTimeout: string;
  readonly proxy: {
    readonly connectTimeout: string;
    readonly readTimeout: string;
    readonly sendTimeout: string;
    readonly bodySize: string;
  };
  /** `proxy_set_header` lines every location inherits (a location that sets its own repeats them). */
  readonly proxyHeaders: readonly string[];
  /** Lines annotations add at http{} level. */
  readonly httpDirectives: readonly string[];
  readonly upstreams: readonly UpstreamView[];
  /** SNI name → certificate files, for the hosts with TLS. */
  readonly certificates: readonly CertificateView[];
  readonly defaultCertificate: CertificateFiles;
  readonly defaultServer: ServerView;
  readonly servers: readonly ServerView[];
}

export interface CertificateFiles {
  readonly certificateFile: string;
  readonly keyFile: string;
}

export interface CertificateView extends CertificateFiles {
  /** A map key for nginx's `hostnames` map: `name` or `*.name`. */
  readonly serverName: string;
}

export interface UpstreamView {
  readonly name: string;
  /** `name size` of a shared memory zone, for methods whose state every worker must see (least_conn). */
  readonly zone: string | undefined;
  readonly balancing: string | undefined;
  readonly servers: readonly string[];
  /** Idle connections kept per worker; undefined when the operator turned keepalive off (0). */
  readonly keepalive: number | undefined;
}

export interface ServerView {
  readonly listens: readonly string[];
  readonly serverName: string;
  /** A server that only redirects (`return 308 …`) and has no locations. */
  readonly redirect: string | undefined;
  /** Only the default server names certificates (see the header comment). */
  readonly certificate: CertificateFiles | undefined;
  /** Lines annotations add at server level. */
  readonly directives: readonly string[];
  readonly locations: readonly LocationView[];
}

/** The default server's certificate: whatever the SNI map says, else the default certificate. */
const CERTIFICATE_BY_SNI: CertificateFiles = { certificateFile: '$portico_certificate', keyFile: '$portico_certificate_key' };

export interface LocationView {
  /** Modifier and path: `= "/p"`, `"/p/"`, `^~ "/p/"`, `~* "^/p"`. */
  readonly match: string;
  /**
   * The location's directives as indented lines joined by newlines: the HTTPS redirect, what annotations
   * add, and what answers (`proxy_pass http://upstream` or `return 503`). One string, so the template prints
   * a location without any `{{#if}}` or `{{#each}}`: most locations are a single shared line, and per-location
   * helpers were a third of what Handlebars spent.
   */
  readonly body: string;
}

const LOCATION_DEPTH = 3;

export function toConfigView(model: NginxModel, layout: RuntimeLayout, listen: ListenOptions, resolvers: readonly string[] = []): ConfigView {
  // Built once per upstream, shared by every location that proxies to it; an upstream with no ready
  // endpoint is left out of the config, and its locations answer 503 (nginx would say 502; Kubernetes
  // users expect 503).
  const proxyActions = new Map<string, string>();
  for (const upstream of model.upstreams) if (upstream.endpoints.length > 0) proxyActions.set(upstream.name, `${BODY_INDENT}${passDirective[upstream.policy?.protocol ?? 'http']}${upstream.name};`);
  const redirectTarget = listen.httpsPort === 443 ? 'https://$host$request_uri' : `https://$host:${listen.httpsPort}$request_uri`;
  const address = listen.listenAddress === undefined ? '' : `${formatAddress(listen.listenAddress)}:`;
  const http = `${address}${listen.httpPort}`;
  const https = `${address}${listen.httpsPort}`;
  const serverNames = model.servers.map((s) => serverName(s.host));
  const hashSize = hashSizing(serverNames);
  const context: ServerContext = {
    http: [http],
    https: [https],
    httpAndHttps: [http, https],
    redirectTarget,
    layout,
    location: (l, withRedirect, inherited) => toLocationView(l, proxyActions, withRedirect ? redirectTarget : undefined, layout, inherited),
  };
  // Certificate file names are quoted once per certificate, not once per host.
  const certificates = new Map<string, CertificateFiles>();
  const filesOf = (binding: TlsBinding): CertificateFiles => {
    const name = binding.kind === 'default' ? DEFAULT_CERTIFICATE : binding.certificate;
    let files = certificates.get(name);
    if (files === undefined) certificates.set(name, (files = certificateFiles(name, layout)));
    return files;
  };

  return {
    pidFile: quote(layout.pidFile),
    errorLog: quote(layout.errorLog),
    accessLog: quote(layout.accessLog),
    tempPaths: (['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'] as const).map((kind) => ({
      directive: `${kind}_temp_path`,
      path: quote(layout.tempDir(kind)),
    })),
    hashBucketSize: hashSize.bucketSize,
    hashMaxSize: hashSize.maxSize,
    workerShutdownTimeout: `${model.settings.workerShutdownTimeoutSeconds}s`,
    proxy: {
      connectTimeout: `${model.settings.connectTimeoutSeconds}s`,
      readTimeout: `${model.settings.readTimeoutSeconds}s`,
      sendTimeout: `${model.settings.sendTimeoutSeconds}s`,
      bodySize: quote(model.settings.bodySize),
    },
    proxyHeaders: formatDirectives(proxyHeaderDirectives, 1),
    httpDirectives: formatDirectives(resolvers.length === 0 ? model.httpDirectives : [resolverDirective(resolvers), ...model.httpDirectives], 1, layout),
    upstreams: model.upstreams.filter((u) => proxyActions.has(u.name)).map((u) => toUpstreamView(u, model.settings.upstreamKeepaliveConnections)),
    certificates: model.servers.flatMap((server) => {
      if (server.tls === undefined) return [];
      const files = filesOf(server.tls);
      return [{ serverName: quoteMapKey(server.host), certificateFile: files.certificateFile, keyFile: files.keyFile }];
    }),
    defaultCertificate: filesOf({ kind: 'default' }),
    defaultServer: {
      // HTTP/2 on the TLS port (ALPN), as ingress-nginx offers by default: gRPC clients need it. nginx applies a
      // listen socket's options to every server on it, so the per-host servers need not repeat them.
      listens: [`${http} default_server`, `${https} ssl http2 default_server`],
      serverName: '_',
      redirect: undefined,
      certificate: CERTIFICATE_BY_SNI,
      directives: formatDirectives(model.defaultServer.directives, 2, layout),
      locations: toLocationViews(model.defaultServer.locations, context, addHeaderDirectives(model.defaultServer.directives)),
    },
    servers: model.servers.flatMap((server, i) => toServerViews(server, serverNames[i] ?? '', context)),
  };
}

interface ServerContext {
  readonly http: readonly string[];
  readonly https: readonly string[];
  readonly httpAndHttps: readonly string[];
  readonly redirectTarget: string;
  readonly layout: RuntimeLayout;
  /** `inherited`: the server's add_header lines, repeated in a location that adds headers of its own. */
  readonly location: (location: Location, withRedirect: boolean, inherited: readonly Directive[]) => LocationView;
}

const noLocations: readonly LocationView[] = [];

/**
 * A host whose every location redirects plain HTTP becomes two servers: a location-less one on the HTTP port
 * that redirects, and the HTTPS one. That spares each location an `if` block, which nginx parses and stores
 * as one more location. Hosts that redirect only some paths keep one server with an `if` per location.
 */
function toServerViews(server: VirtualServer, name: string, context: ServerContext): ServerView[] {
  const directives = formatDirectives(server.directives, 2, context.layout);
  const inherited = addHeaderDirectives(server.directives);
  if (server.tls === undefined) {
    return [{ listens: context.http, serverName: name, redirect: undefined, certificate: undefined, directives, locations: toLocationViews(server.locations, context, inherited) }];
  }
  // Named locations (error pages) are reached from the locations, never by a URI: they do not decide.
  if (!server.locations.every((l) => l.sslRedirect || l.modifier === '@')) {
    return [
      { listens: context.httpAndHttps, serverName: name, redirect: undefined, certificate: undefined, directives, locations: toLocationViews(server.locations, context, inherited) },
    ];
  }
  return [
    { listens: context.http, serverName: name, redirect: context.redirectTarget, certificate: undefined, directives: noLines, locations: noLocations },
    {
      listens: context.https,
      serverName: name,
      redirect: undefined,
      certificate: undefined,
      directives,
      locations: server.locations.map((l) => context.location(l, false, inherited)),
    },
  ];
}

const noLines: readonly string[] = [];

/** On a server where some locations redirect plain HTTP and others do not, each location decides for itself. */
function toLocationViews(locations: readonly Location[], context: ServerContext, inherited: readonly Directive[]): LocationView[] {
  return locations.map((l) => context.location(l, l.sslRedirect, inherited));
}

/** `redirectTarget` is where plain HTTP goes when the location redirects it; undefined when its server does that. */
function toLocationView(
  location: Location,
  proxyActions: ReadonlyMap<string, string>,
  redirectTarget: string | undefined,
  layout: RuntimeLayout,
  inherited: readonly Directive[],
): LocationView {
  const match =
    location.modifier === ''
      ? quote(location.path)
      : location.modifier === '~*'
        ? `~* ${quoteRegex(location.path)}`
        : location.modifier === '@'
          ? bareKeyword(`@${location.path}`)
          : `${location.modifier} ${quote(location.path)}`;
  const action = location.action;
  const answer =
    (action.kind === 'proxy' ? (action.canary === undefined ? proxyActions.get(action.upstream) : canaryProxyAction(action.canary.variable)) : undefined) ??
    (action.kind === 'status' ? statusActions[action.code] : statusActions[503]);
  if (redirectTarget === undefined && location.directives.length === 0) return { match, body: answer };
  const lines: string[] = [];
  if (redirectTarget !== undefined) lines.push(...formatDirectives(httpsRedirect(redirectTarget), LOCATION_DEPTH));
  lines.push(...formatDirectives(withInheritedHeaders(withProxyHeaders(location.directives), inherited), LOCATION_DEPTH, layout));
  // An annotation that answers by itself (a redirect) makes the location's own answer unreachable: leave it out.
  if (!location.directives.some((d) => d.name === 'return')) lines.push(answer);
  return { match, body: lines.join('\n') };
}

const BODY_INDENT = '    '.repeat(LOCATION_DEPTH);

/**
 * `proxy_pass http://$variable;` for a canary pair: the variable holds the name of an upstream block the
 * config defines (the build only pairs upstreams that have endpoints), so nginx needs no resolver.
 */
function canaryProxyAction(name: string): string {
  return formatDirectives([directive('proxy_pass', expansion(`http://$${name}`, [name]))], LOCATION_DEPTH).join('\n');
}
/** The line that answers, indented: shared by every location with the same answer. */
const statusActions = { 404: `${BODY_INDENT}return 404;`, 503: `${BODY_INDENT}return 503;` } as const;

/** Host names in auth-url are resolved while serving (a name that does not resolve must not fail the config). */
function resolverDirective(resolvers: readonly string[]): Directive {
  return directive('resolver', ...resolvers.map((address) => literal(address.includes(':') ? `[${address}]` : address)), keyword('valid=30s'));
}

/** `if ($scheme = http) { return 308 https://$host…; }`, with the target the listen ports call for. */
function httpsRedirect(target: string): readonly Directive[] {
  return [
    blockDirective('if', [variable('scheme'), keyword('='), keyword('http')], [directive('return', keyword(308), expansion(target, ['host', 'request_uri']))]),
  ];
}

/** How a location passes requests to an upstream, by backend protocol. */
const passDirective: Readonly<Record<BackendProtocol, string>> = {
  http: 'proxy_pass http://',
  https: 'proxy_pass https://',
  grpc: 'grpc_pass grpc://',
  grpcs: 'grpc_pass grpcs://',
};

/**
 * The balancing line of an upstream: the annotation's method when it sets one, else the Service's ClientIP
 * affinity. Upstreams with a policy stay static `upstream{}` blocks whatever the upstream mode.
 */
function balancingLine(upstream: Upstream): string | undefined {
  const balancing = upstream.policy?.balancing;
  switch (balancing?.kind) {
    case 'least-conn':
      return 'least_conn';
    case 'hash':
      return `hash ${quoteExpansion(balancing.key.text, balancing.key.variables)} consistent`;
    case 'cookie':
      return `hash ${variableReference(affinityVariable(balancing.cookie))} consistent`;
    case 'round-robin':
    case undefined:
      return upstream.affinity === 'client-ip' ? 'hash $remote_addr consistent' : undefined;
  }
}

function toUpstreamView(upstream: Upstream, keepalive: number): UpstreamView {
  return {
    name: upstream.name,
    // Without a zone each worker would count only its own connections, and least_conn would be per worker.
    zone: upstream.policy?.balancing.kind === 'least-conn' ? `${upstream.name} 64k` : undefined,
    balancing: balancingLine(upstream),
    servers: upstream.endpoints.map((e) => `${formatAddress(e.address)}:${e.port}`),
    keepalive: keepalive > 0 ? keepalive : undefined,
  };
}

/** Exact hosts are plain names; `*.example.com` must match exactly one label, which only a regex says in nginx. */
function serverName(host: string): string {
  if (!host.startsWith('*.')) return quote(host);
  return quoteRegex(`~^[^.]+${host.slice(1).replaceAll('.', '\\.')}$`);
}

function certificateFiles(name: string, layout: RuntimeLayout): CertificateFiles {
  return { certificateFile: quote(layout.certificateFile(name)), keyFile: quote(layout.keyFile(name)) };
}

function formatAddress(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/**
 * nginx builds its name hashes by trying table sizes up to max_size; when none fits it warns, falls back, and
 * spends seconds trying (50k paths: 7.4 s of `nginx -t` instead of 5.2 s). Buckets of 128 bytes hold two
 * or three names, and a table of four slots per name then always fits (measured up to 12.5k hosts).
 */
function hashSizing(names: readonly string[]): { bucketSize: number; maxSize: number } {
  const longest = names.reduce((max, name) => Math.max(max, name.length), 0);
  return { bucketSize: nextPowerOfTwo(Math.max(128, longest + 32)), maxSize: nextPowerOfTwo(Math.max(1024, names.length * 4)) };
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}
