// Every annotation module Portico has, in the order their directives appear in a location.
import type { AnnotationModule } from './annotation.js';
import { appRootAnnotation } from './modules/app-root.js';
import { basicAuthAnnotation } from './modules/basic-auth.js';
import { canaryAnnotation } from './modules/canary.js';
import { configurationSnippetAnnotation } from './modules/configuration-snippet.js';
import { corsAnnotation } from './modules/cors.js';
import { externalAuthAnnotation } from './modules/external-auth.js';
import { fromToWwwRedirectAnnotation } from './modules/from-to-www-redirect.js';
import { preserveTrailingSlashAnnotation } from './modules/preserve-trailing-slash.js';
import { proxyBody } from './modules/proxy-body.js';
import { proxyBuffers } from './modules/proxy-buffers.js';
import { proxyHttpVersion } from './modules/proxy-http-version.js';
import { proxyNextUpstream } from './modules/proxy-next-upstream.js';
import { affinityAnnotation } from './modules/affinity.js';
import { backendProtocolAnnotation } from './modules/backend-protocol.js';
import { customHttpErrorsAnnotation } from './modules/custom-http-errors.js';
import { defaultBackendAnnotation } from './modules/default-backend.js';
import { loadBalanceAnnotation } from './modules/load-balance.js';
import { proxyTimeouts } from './modules/proxy-timeouts.js';
import { rateLimits } from './modules/rate-limits.js';
import { redirectAnnotation } from './modules/redirect.js';
import { rewriteTargetAnnotation } from './modules/rewrite-target.js';
import { serverSnippetAnnotation } from './modules/server-snippet.js';
import { serviceUpstreamAnnotation } from './modules/service-upstream.js';
import { sourceRanges } from './modules/source-ranges.js';
import { sslRedirectAnnotation } from './modules/ssl-redirect.js';
import { upstreamHashByAnnotation } from './modules/upstream-hash-by.js';
import { upstreamVhostAnnotation } from './modules/upstream-vhost.js';
import { useRegexAnnotation } from './modules/use-regex.js';
import { xForwardedPrefixAnnotation } from './modules/x-forwarded-prefix.js';

export const annotationModules = [
  useRegexAnnotation,
  canaryAnnotation,
  sslRedirectAnnotation,
  basicAuthAnnotation,
  externalAuthAnnotation,
  sourceRanges,
  rateLimits,
  corsAnnotation,
  redirectAnnotation,
  rewriteTargetAnnotation,
  proxyTimeouts,
  xForwardedPrefixAnnotation,
  preserveTrailingSlashAnnotation,
  appRootAnnotation,
  fromToWwwRedirectAnnotation,
  proxyBody,
  proxyBuffers,
  proxyNextUpstream,
  proxyHttpVersion,
  upstreamVhostAnnotation,
  backendProtocolAnnotation,
  loadBalanceAnnotation,
  upstreamHashByAnnotation,
  serviceUpstreamAnnotation,
  affinityAnnotation,
  defaultBackendAnnotation,
  customHttpErrorsAnnotation,
  configurationSnippetAnnotation,
  serverSnippetAnnotation,
] as const;

type Module = (typeof annotationModules)[number];

/** The parsed value of each module an Ingress sets, by module name. */
export type AnnotationPolicies = { readonly [M in Module as M['name']]?: M extends AnnotationModule<string, infer T> ? T : never };
