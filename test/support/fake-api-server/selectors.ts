// Label and field selectors as the API server parses them: equality, inequality, set-based and existence terms.
import { badRequest } from './api-status.js';

/** One parsed term of a selector; a selector matches when every term does. */
export type Requirement =
  | { readonly key: string; readonly operator: 'equals' | 'notEquals'; readonly value: string }
  | { readonly key: string; readonly operator: 'in' | 'notIn'; readonly values: readonly string[] }
  | { readonly key: string; readonly operator: 'exists' | 'doesNotExist' };

export type Selector = readonly Requirement[];

/** Looks a key up in whatever is being selected on (labels, or an object's fields). */
export type ValueLookup = (key: string) => string | undefined;

export function matchesSelector(selector: Selector, lookup: ValueLookup): boolean {
  return selector.every((requirement) => matchesRequirement(requirement, lookup(requirement.key)));
}

function matchesRequirement(requirement: Requirement, value: string | undefined): boolean {
  switch (requirement.operator) {
    case 'equals': return value === requirement.value;
    // A missing label satisfies `!=`, as in the real server.
    case 'notEquals': return value !== requirement.value;
    case 'in': return value !== undefined && requirement.values.includes(value);
    case 'notIn': return value === undefined || !requirement.values.includes(value);
    case 'exists': return value !== undefined;
    case 'doesNotExist': return value === undefined;
  }
}

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`; throws a 400 ApiError on anything else. */
export function parseLabelSelector(text: string): Selector {
  return splitTerms(text).map((term) => parseLabelTerm(term, text));
}

const SET_TERM = /^([A-Za-z0-9._\-/]+)\s+(in|notin)\s*\(([^)]*)\)$/;
const EQUALITY_TERM = /^([A-Za-z0-9._\-/]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$/;
const EXISTS_TERM = /^(!?)\s*([A-Za-z0-9._\-/]+)$/;

function parseLabelTerm(term: string, whole: string): Requirement {
  const set = SET_TERM.exec(term);
  if (set !== null) {
    const values = (set[3] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
    return { key: set[1] ?? '', operator: set[2] === 'in' ? 'in' : 'notIn', values };
  }
  const equality = EQUALITY_TERM.exec(term);
  if (equality !== null) {
    return { key: equality[1] ?? '', operator: equality[2] === '!=' ? 'notEquals' : 'equals', value: equality[3] ?? '' };
  }
  const exists = EXISTS_TERM.exec(term);
  if (exists !== null) return { key: exists[2] ?? '', operator: exists[1] === '!' ? 'doesNotExist' : 'exists' };
  throw badRequest(`unable to parse requirement: invalid label selector "${whole}"`);
}

/**
 * Parses `metadata.name=x,type!=y`. Only equality terms exist for fields; a label outside `allowedLabels`
 * answers 400 "field label not supported", which is what the real server says.
 */
export function parseFieldSelector(text: string, allowedLabels: readonly string[]): Selector {
  return splitTerms(text).map((term) => {
    const match = /^([A-Za-z0-9._-]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (match === null) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const key = match[1] ?? '';
    if (!allowedLabels.includes(key)) throw badRequest(`field label not supported: ${key}`);
    return { key, operator: match[2] === '!=' ? 'notEquals' : 'equals', value: unescapeFieldValue(match[3] ?? '') };
  });
}

function unescapeFieldValue(value: string): string {
  return value.replace(/\\([\\,=])/g, '$1');
}

/** Splits on commas that are outside parentheses and not escaped; drops empty terms (an empty selector). */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? '';
    if (char === '\\' && i + 1 < text.length) {
      current += char + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  terms.push(current.trim());
  return terms.filter((term) => term !== '');
}

/** Reads a dotted field path (`metadata.name`, `type`, `involvedObject.kind`) as a field selector sees it. */
export function fieldValue(object: unknown, path: string): string {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) return '';
    current = (current as Record<string, unknown>)[part];
  }
  if (typeof current === 'string') return current;
  if (typeof current === 'number' || typeof current === 'boolean') return String(current);
  return '';
}
