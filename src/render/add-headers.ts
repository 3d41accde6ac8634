// nginx inherits `add_header` into a level only when that level sets none of its own: a location whose
// annotations add a header (a configuration-snippet, CORS…) would silently drop every header its server adds
// (a server-snippet's security headers). Such a location gets the server's add_header lines again, first,
// minus the names it sets itself (which it would have overridden).
import type { Directive } from '../model/directive.js';

function headerName(d: Directive): string | undefined {
  const first = d.args[0];
  return d.name === 'add_header' && first !== undefined && 'text' in first ? first.text.toLowerCase() : undefined;
}

/** The add_header directives of a server, which its locations inherit. */
export function addHeaderDirectives(directives: readonly Directive[]): readonly Directive[] {
  return directives.some((d) => d.name === 'add_header') ? directives.filter((d) => d.name === 'add_header') : [];
}

/** `directives`, preceded by the inherited add_header lines when they set any header themselves. */
export function withInheritedHeaders(directives: readonly Directive[], inherited: readonly Directive[]): readonly Directive[] {
  if (inherited.length === 0) return directives;
  const own = new Set(directives.map(headerName).filter((n) => n !== undefined));
  if (own.size === 0) return directives;
  return [...inherited.filter((d) => !own.has(headerName(d) ?? '')), ...directives];
}
