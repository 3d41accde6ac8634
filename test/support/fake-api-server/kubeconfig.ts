// The kubeconfig that points a real client at the fake server: plain HTTP, a bearer token, one context.

/**
 * YAML text of a kubeconfig whose current context talks to `server` (e.g. http://127.0.0.1:PORT).
 * client-node 2.x refuses an http: server ("HTTP protocol is not allowed when skipTLSVerify is not set or
 * false") unless insecure-skip-tls-verify is set, hence the flag on a cluster that has no TLS at all.
 */
export function renderKubeconfig(server: string, namespace = 'default'): string {
  return `apiVersion: v1
kind: Config
clusters:
  - name: fake
    cluster:
      server: ${server}
      insecure-skip-tls-verify: true
users:
  - name: fake
    user:
      token: fake-token
contexts:
  - name: fake
    context:
      cluster: fake
      user: fake
      namespace: ${namespace}
current-context: fake
preferences: {}
`;
}
