// auth-type: basic, auth-secret, auth-secret-type, auth-realm: HTTP basic authentication from an htpasswd
// Secret in the Ingress's own namespace. The build (build/bind-auth-files) reads and checks the Secret and
// rejects the Ingress when it is missing or bad: an Ingress that asks for authentication is never served
// without it.
import { directive, literal, runtimeFile, type RuntimeFileRef } from '../../model/directive.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { objectName, oneOf, plainText, type Grammar } from '../grammars.js';

const authType = annotationKey('auth-type', oneOf(['basic', 'digest']), 'The authentication scheme; only `basic` is supported.');
const authSecret = annotationKey(
  'auth-secret',
  objectName,
  "The Secret holding the users: `name`, or `namespace/name` with the Ingress's own namespace (another namespace is refused).",
);
const authSecretType = annotationKey(
  'auth-secret-type',
  oneOf(['auth-file', 'auth-map']),
  'auth-file: the Secret\'s `auth` key holds an htpasswd file; auth-map: each key is a user and its value the password hash.',
  'auth-file',
);

/** nginx reads the realm `off` as "no authentication" (ngx_http_auth_basic_module), so it is never a realm. */
const realmText: Grammar<string> = {
  describe: `${plainText(128).describe}, not empty and not "off"`,
  parse: (raw) => (raw === '' || raw.toLowerCase() === 'off' ? undefined : plainText(128).parse(raw)),
};
const authRealm = annotationKey('auth-realm', realmText, 'The realm the browser shows in its login prompt.', 'Authentication Required');

export const DEFAULT_REALM = 'Authentication Required';

export interface BasicAuth {
  /** The Secret's name, in the Ingress's namespace. */
  readonly secret: string;
  readonly secretType: 'auth-file' | 'auth-map';
  readonly realm: string;
}

/**
 * The htpasswd file of a Secret read one way: derived from namespace and name, which are DNS names (no `/`,
 * no `_`), and the reading, so two Ingresses reading one Secret differently never share a file.
 */
export function authFileOf(namespace: string, auth: BasicAuth): RuntimeFileRef {
  return { area: 'auth', name: `${namespace}_${auth.secret}_${auth.secretType}` };
}

export const basicAuthAnnotation = defineAnnotation({
  name: 'basic-auth',
  keys: [authType, authSecret, authSecretType, authRealm],
  scope: 'location',
  risk: 'medium',
  description:
    'HTTP basic authentication on every path of the Ingress: requests without valid credentials get 401 with ' +
    '`WWW-Authenticate: Basic realm="<auth-realm>"`. The Secret must be in the Ingress\'s namespace (ingress-nginx accepts ' +
    'any namespace; Portico refuses others). Its content is checked before it reaches nginx: htpasswd lines `user:hash` ' +
    'with a hash nginx checks ($apr1$, $1$, $5$, $6$, bcrypt, yescrypt, {SHA}, {SSHA}; not {PLAIN}), no control characters, ' +
    'no user twice. A missing Secret, a Secret without users or with a bad line rejects the Ingress (it is not served ' +
    'without its authentication). `auth-type: digest` is refused: nginx has no digest authentication.',
  parse: (r): BasicAuth | undefined => {
    const type = r.value(authType);
    const secret = r.value(authSecret);
    const secretType = r.value(authSecretType);
    const realm = r.value(authRealm);
    if (!r.has(authType) && !r.has(authSecret)) {
      if (r.has(authSecretType)) r.problem(authSecretType, 'auth-secret-type needs auth-type: basic and auth-secret');
      if (r.has(authRealm)) r.problem(authRealm, 'auth-realm needs auth-type: basic and auth-secret');
      return undefined;
    }
    if (type === 'digest') r.problem(authType, 'digest authentication is not supported (nginx has no digest module); use basic');
    if (!r.has(authType)) r.problem(authType, 'auth-secret needs auth-type: basic');
    if (!r.has(authSecret)) r.problem(authSecret, 'auth-type needs auth-secret');
    if (secret?.namespace !== undefined && secret.namespace !== r.ingress.namespace) {
      r.problem(authSecret, `the Secret must be in the Ingress's own namespace (${r.ingress.namespace}), not ${secret.namespace}`);
    }
    if (type !== 'basic' || secret === undefined) return undefined;
    return { secret: secret.name, secretType: secretType ?? 'auth-file', realm: realm ?? DEFAULT_REALM };
  },
  effect: {
    location: (auth, context) => [
      directive('auth_basic', literal(auth.realm)),
      directive('auth_basic_user_file', runtimeFile(authFileOf(context.ingress.namespace, auth))),
    ],
  },
});
