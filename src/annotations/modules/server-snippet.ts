// server-snippet: nginx directives added to the server of each host the Ingress has rules on, when the
// operator allows snippets; checked and re-rendered as configuration-snippet's are (see ../snippet.ts).
import type { Directive } from '../../model/directive.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { SNIPPET_RULES, readSnippet, snippetRisk, snippetText } from '../snippet.js';

const snippet = { ...annotationKey('server-snippet', snippetText, 'Directives added to the server block of each host of the Ingress.'), isMultiline: true };

export const serverSnippetAnnotation = defineAnnotation({
  name: 'server-snippet',
  keys: [snippet],
  scope: 'server',
  risk: 'high',
  riskWith: snippetRisk,
  description:
    'Directives added to the server of each host the Ingress has rules on (the oldest Ingress wins when several set one for a host); ' +
    `its add_header lines are repeated in the locations that set headers of their own, so nginx's inheritance does not drop them. ${SNIPPET_RULES}`,
  parse: (r) => readSnippet(r, snippet),
  effect: {
    server: (directives: readonly Directive[]) => directives,
  },
});
