// The DNS servers nginx asks when an auth-url names a host: the nameservers of /etc/resolv.conf, as
// ingress-nginx takes them, so the cluster's DNS resolves Service names.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

/** glibc reads at most three nameserver lines. */
const MAX_NAMESERVERS = 3;

/** The nameserver addresses of `text` (resolv.conf syntax), in order; anything that is not an IP address is skipped. */
export function parseResolvConf(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    const [keyword, address] = line.trim().split(/\s+/);
    if (keyword === 'nameserver' && address !== undefined && isIP(address) !== 0 && !found.includes(address)) found.push(address);
  }
  return found.slice(0, MAX_NAMESERVERS);
}

/** The nameservers of `path`; none when it cannot be read (nginx then resolves no host name at request time). */
export function readSystemResolvers(path = '/etc/resolv.conf'): string[] {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}
