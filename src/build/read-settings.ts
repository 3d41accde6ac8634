// The controller ConfigMap: operator-wide proxy defaults, each key parsed by a closed grammar.
// A bad value keeps the default and gets a diagnostic; it never reaches nginx.conf.
import type { Diagnostic } from '../model/diagnostic.js';
import { refOf, type ConfigMap } from '../model/kube.js';
import { defaultProxySettings, type ProxySettings } from '../model/settings.js';
import { riskLevels } from '../annotations/annotation.js';
import { defaultAnnotationSettings, type AnnotationSettings } from '../annotations/annotation-settings.js';

/** Which ConfigMap holds the settings: a name, and a namespace when the operator pins one. */
export interface SettingsSource {
  readonly namespace: string | undefined;
  readonly name: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface SettingKey {
  readonly parse: (value: string) => Partial<ProxySettings> | undefined;
  readonly expected: string;
}

const seconds = (field: 'connectTimeoutSeconds' | 'readTimeoutSeconds' | 'sendTimeoutSeconds'): SettingKey => ({
  parse: (value) => (/^[0-9]{1,6}$/.test(value) && Number(value) > 0 ? { [field]: Number(value) } : undefined),
  expected: 'a whole number of seconds above 0',
});

/** The keys Portico reads; ingress-nginx's names, so an existing ConfigMap carries over. */
export const settingKeys: Readonly<Record<string, SettingKey>> = {
  'proxy-connect-timeout': seconds('connectTimeoutSeconds'),
  'proxy-read-timeout': seconds('readTimeoutSeconds'),
  'proxy-send-timeout': seconds('sendTimeoutSeconds'),
  'proxy-body-size': {
    parse: (value) => (/^[0-9]{1,9}[kKmMgG]?$/.test(value) ? { bodySize: value.toLowerCase() } : undefined),
    expected: 'a size such as 1m, 512k or 0 (no limit)',
  },
  'worker-shutdown-timeout': {
    parse: (value) => (/^[0-9]{1,6}s?$/.test(value) && Number.parseInt(value, 10) > 0 ? { workerShutdownTimeoutSeconds: Number.parseInt(value, 10) } : undefined),
    expected: 'a whole number of seconds above 0, such as 240s',
  },
  'ssl-redirect': {
    parse: (value) => (value === 'true' || value === 'false' ? { sslRedirect: value === 'true' } : undefined),
    expected: '"true" or "false"',
  },
  'upstream-keepalive-connections': {
    parse: (value) => (/^[0-9]{1,5}$/.test(value) ? { upstreamKeepaliveConnections: Number(value) } : undefined),
    expected: 'a whole number of connections',
  },
};

interface AnnotationSettingKey {
  readonly parse: (value: string) => Partial<AnnotationSettings> | undefined;
  readonly expected: string;
}

/** Keys about annotations: ingress-nginx's names where it has one. */
export const annotationSettingKeys: Readonly<Record<string, AnnotationSettingKey>> = {
  'annotations-risk-level': {
    parse: (value) => {
      const level = riskLevels.find((l) => l === value.toLowerCase());
      return level === undefined ? undefined : { riskLevel: level };
    },
    expected: 'Low, Medium, High or Critical',
  },
  'allow-snippet-annotations': {
    parse: (value) => (value === 'true' || value === 'false' ? { allowSnippets: value === 'true' } : undefined),
    expected: '"true" or "false"',
  },
  'snippet-allowed-directives': {
    parse: (value) => {
      const names = value.split(',').map((n) => n.trim());
      return names.every((n) => /^(?:[a-z][a-z0-9_]{0,63}|\*)$/.test(n)) ? { snippetDirectives: names } : undefined;
    },
    expected: 'a comma-separated list of nginx directive names, or *',
  },
};

export interface ReadSettingsResult {
  readonly settings: ProxySettings;
  readonly annotations: AnnotationSettings;
  readonly diagnostics: Diagnostic[];
}

export function readSettings(
  configMaps: readonly ConfigMap[],
  source: SettingsSource,
  annotationDefaults: AnnotationSettings = defaultAnnotationSettings,
): ReadSettingsResult {
  const candidates = configMaps
    .filter((c) => c.metadata.name === source.name && (source.namespace === undefined || c.metadata.namespace === source.namespace))
    .sort((a, b) => (a.metadata.namespace < b.metadata.namespace ? -1 : 1));
  const configMap = candidates[0];
  const settings: Mutable<ProxySettings> = { ...defaultProxySettings };
  const annotations: Mutable<AnnotationSettings> = { ...annotationDefaults };
  const diagnostics: Diagnostic[] = [];
  if (configMap === undefined) return { settings, annotations, diagnostics };
  for (const [key, value] of Object.entries(configMap.data).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const setting = settingKeys[key] ?? annotationSettingKeys[key];
    if (setting === undefined) {
      diagnostics.push({ severity: 'info', code: 'INVALID_SETTING', object: refOf(configMap), field: `data.${key}`, message: 'unknown key, ignored' });
      continue;
    }
    const parsed = setting.parse(value);
    if (parsed === undefined) {
      diagnostics.push({
        severity: 'error',
        code: 'INVALID_SETTING',
        object: refOf(configMap),
        field: `data.${key}`,
        message: `expected ${setting.expected}; the default is kept`,
      });
    } else if (key in annotationSettingKeys) Object.assign(annotations, parsed);
    else Object.assign(settings, parsed);
  }
  return { settings, annotations, diagnostics };
}
