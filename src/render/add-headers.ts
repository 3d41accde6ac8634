// nginx inherits `add_header` (and `proxy_hide_header`) into a level only when that level sets none of its
// own: a location whose annotations add a header (a configuration-snippet, CORS…) would silently drop every
// header its server adds (a server-snippet's security headers). Such a location gets the server's lines of
// that directive again, first, minus the header names it sets itself (which it would have overridden).
import type { Directive } from '../model/directive.js';

/** The array directives this applies to; each is inherited (or not) on its own. */
const inheritedNames: ReadonlySet<string> = new Set(['add_header', 'proxy_hide_header']);

function headerName(d: Directive): string | undefined {
  const first = d.args[0];
  return first !== undefined && 'text' in first ? first.text.toLowerCase() : undefined;
}

/** The add_header and proxy_hide_header directives of a server, which its locations inherit. */
export function addHeaderDirectives(directives: readonly Directive[]): readonly Directive[] {
  return directives.some((d) => inheritedNames.has(d.name)) ? directives.filter((d) => inheritedNames.has(d.name)) : [];
}

/** `directives`, preceded by the inherited lines of each array directive they set themselves. */
export function withInheritedHeaders(directives: readonly Directive[], inherited: readonly Directive[]): readonly Directive[] {
  if (inherited.length === 0) return directives;
  const own = new Map<string, Set<string | undefined>>();
  for (const d of directives) {
    if (!inheritedNames.has(d.name)) continue;
    let names = own.get(d.name);
    if (names === undefined) own.set(d.name, (names = new Set()));
    names.add(headerName(d));
  }
  if (own.size === 0) return directives;
  const repeated = inherited.filter((d) => {
    const names = own.get(d.name);
    return names !== undefined && !names.has(headerName(d));
  });
  return repeated.length === 0 ? directives : [...repeated, ...directives];
}
