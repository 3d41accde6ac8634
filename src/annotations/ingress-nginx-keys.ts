// ingress-nginx's annotation keys (current and removed), so an unsupported one is told apart from a typo.
// Keys that some Portico module reads never get here. Unsupported keys that restrict access fail closed: an
// Ingress that asks for client certificates or a WAF must not be served without them.

const restrictingAccess = new Set([
  'auth-tls-secret',
  'auth-tls-verify-client',
  'auth-tls-verify-depth',
  'auth-tls-match-cn',
  'auth-tls-error-page',
  'auth-tls-pass-certificate-to-upstream',
  'enable-modsecurity',
  'enable-owasp-core-rules',
  'modsecurity-transaction-id',
  'modsecurity-snippet',
]);

const ingressNginxKeys = new Set([
  ...restrictingAccess,
  'add-base-url', 'affinity', 'affinity-canary-behavior', 'affinity-mode', 'allowlist-source-range', 'app-root',
  'auth-always-set-cookie', 'auth-cache-duration', 'auth-cache-key', 'auth-keepalive', 'auth-keepalive-requests',
  'auth-keepalive-share-vars', 'auth-keepalive-timeout', 'auth-method', 'auth-proxy-set-headers', 'auth-realm',
  'auth-request-redirect', 'auth-response-headers', 'auth-secret', 'auth-secret-type', 'auth-signin',
  'auth-signin-redirect-param', 'auth-snippet', 'auth-type', 'auth-url', 'backend-protocol', 'base-url-scheme',
  'canary', 'canary-by-cookie', 'canary-by-header', 'canary-by-header-pattern', 'canary-by-header-value',
  'canary-weight', 'canary-weight-total', 'client-body-buffer-size', 'configuration-snippet', 'connection-proxy-header',
  'cors-allow-credentials', 'cors-allow-headers', 'cors-allow-methods', 'cors-allow-origin', 'cors-expose-headers',
  'cors-max-age', 'custom-headers', 'custom-http-errors', 'default-backend', 'denylist-source-range',
  'disable-proxy-intercept-errors', 'enable-access-log', 'enable-cors', 'enable-global-auth', 'enable-influxdb',
  'enable-opentelemetry', 'enable-opentracing', 'enable-rewrite-log', 'force-ssl-redirect', 'from-to-www-redirect',
  'global-rate-limit', 'global-rate-limit-ignored-cidrs', 'global-rate-limit-key', 'global-rate-limit-window',
  'grpc-backend', 'http2-push-preload', 'influxdb-host', 'influxdb-measurement', 'influxdb-port', 'influxdb-server-name',
  'limit-burst-multiplier', 'limit-connections', 'limit-rate', 'limit-rate-after', 'limit-rpm', 'limit-rps',
  'limit-whitelist', 'load-balance', 'lua-resty-waf', 'lua-resty-waf-debug', 'lua-resty-waf-extra-rules',
  'lua-resty-waf-ignore-rulesets', 'lua-resty-waf-score-threshold', 'mirror-host', 'mirror-request-body',
  'mirror-target', 'opentelemetry-operation-name', 'opentelemetry-trust-incoming-span', 'opentracing-trust-incoming-span',
  'permanent-redirect', 'permanent-redirect-code', 'preserve-trailing-slash', 'proxy-body-size', 'proxy-buffer-size',
  'proxy-buffering', 'proxy-buffers-number', 'proxy-busy-buffers-size', 'proxy-connect-timeout', 'proxy-cookie-domain',
  'proxy-cookie-path', 'proxy-http-version', 'proxy-max-temp-file-size', 'proxy-next-upstream',
  'proxy-next-upstream-timeout', 'proxy-next-upstream-tries', 'proxy-read-timeout', 'proxy-redirect-from',
  'proxy-redirect-to', 'proxy-request-buffering', 'proxy-send-timeout', 'proxy-ssl-ciphers', 'proxy-ssl-name',
  'proxy-ssl-protocols', 'proxy-ssl-secret', 'proxy-ssl-server-name', 'proxy-ssl-verify', 'proxy-ssl-verify-depth',
  'rewrite-target', 'satisfy', 'secure-backends', 'secure-verify-ca-secret', 'server-alias', 'server-snippet',
  'service-upstream', 'session-cookie-change-on-failure', 'session-cookie-conditional-samesite-none',
  'session-cookie-domain', 'session-cookie-expires', 'session-cookie-hash', 'session-cookie-max-age',
  'session-cookie-name', 'session-cookie-partitioned', 'session-cookie-path', 'session-cookie-samesite',
  'session-cookie-secure', 'ssl-ciphers', 'ssl-passthrough', 'ssl-prefer-server-ciphers', 'ssl-redirect',
  'stream-snippet', 'upstream-fail-timeout', 'upstream-hash-by', 'upstream-hash-by-subset',
  'upstream-hash-by-subset-size', 'upstream-max-fails', 'upstream-vhost', 'use-regex', 'whitelist-source-range',
  'x-forwarded-prefix',
]);

export type UnsupportedKeyKind = 'restricts-access' | 'unsupported' | 'unknown';

/** What an annotation key under the prefix that no Portico module reads is. */
export function unsupportedKeyKind(key: string): UnsupportedKeyKind {
  if (restrictingAccess.has(key)) return 'restricts-access';
  return ingressNginxKeys.has(key) ? 'unsupported' : 'unknown';
}

/** ingress-nginx's keys that no Portico module reads, sorted: the migration cost, for the docs. */
export function ingressNginxKeysNotSupported(supported: ReadonlySet<string>): { key: string; restrictsAccess: boolean }[] {
  return [...ingressNginxKeys]
    .filter((key) => !supported.has(key))
    .sort()
    .map((key) => ({ key, restrictsAccess: restrictingAccess.has(key) }));
}
