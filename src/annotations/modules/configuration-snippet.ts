// configuration-snippet: nginx directives added to every location of the Ingress, when the operator allows
// snippets; each directive checked against the allow-list (see ../snippet.ts) and re-rendered as data.
import type { Directive } from '../../model/directive.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { SNIPPET_RULES, readSnippet, snippetRisk, snippetText } from '../snippet.js';

const snippet = { ...annotationKey('configuration-snippet', snippetText, 'Directives added to each location (path) of the Ingress.'), isMultiline: true };

export const configurationSnippetAnnotation = defineAnnotation({
  name: 'configuration-snippet',
  keys: [snippet],
  scope: 'location',
  risk: 'high',
  riskWith: snippetRisk,
  description: `Directives added to every location of the Ingress. ${SNIPPET_RULES}`,
  parse: (r) => readSnippet(r, snippet),
  effect: {
    location: (directives: readonly Directive[]) => directives,
  },
});
