// Unit tests for readSettings: each ConfigMap key's grammar, defaults kept on bad values, unknown keys, which ConfigMap counts.
import { defaultAnnotationSettings } from '../../../src/annotations/annotation-settings.js';
import { expect } from 'chai';
import { buildModel } from '../../../src/build/build-model.js';
import { readSettings, type SettingsSource } from '../../../src/build/read-settings.js';
import type { ConfigMap } from '../../../src/model/kube.js';
import { defaultProxySettings, type ProxySettings } from '../../../src/model/settings.js';
import { snapshotOf } from '../../../src/model/snapshot.js';
import { runtimeLayout } from '../../../src/render/runtime-layout.js';
import { toConfigView } from '../../../src/render/view-model.js';
import { goldenOptions } from '../../support/golden-options.js';
import { endpoints, ingress, meta, service } from '../../support/objects.js';

const source: SettingsSource = { namespace: undefined, name: 'portico' };

function configMap(data: Record<string, string>, name = 'portico', namespace = 'ops'): ConfigMap {
  return { kind: 'ConfigMap', metadata: meta(name, namespace), data };
}

function read(data: Record<string, string>): ReturnType<typeof readSettings> {
  return readSettings([configMap(data)], source);
}

interface KeyCase {
  readonly key: string;
  readonly field: keyof ProxySettings;
  readonly good: readonly (readonly [string, ProxySettings[keyof ProxySettings]])[];
  readonly bad: readonly string[];
}

const cases: readonly KeyCase[] = [
  ...(['proxy-connect-timeout', 'proxy-read-timeout', 'proxy-send-timeout'] as const).map(
    (key): KeyCase => ({
      key,
      field: key === 'proxy-connect-timeout' ? 'connectTimeoutSeconds' : key === 'proxy-read-timeout' ? 'readTimeoutSeconds' : 'sendTimeoutSeconds',
      good: [
        ['1', 1],
        ['30', 30],
        ['999999', 999999],
        ['007', 7],
      ],
      bad: ['0', '-1', '1.5', '30s', '', ' 30', '1000000', '1;', '1e3'],
    }),
  ),
  {
    key: 'proxy-body-size',
    field: 'bodySize',
    good: [
      ['0', '0'],
      ['8m', '8m'],
      ['512k', '512k'],
      ['1G', '1g'],
      ['100', '100'],
      ['999999999m', '999999999m'],
    ],
    bad: ['1mb', '1.5m', '-1', 'm', '', '1 m', '1m;', '1t', '1000000000'],
  },
  {
    key: 'ssl-redirect',
    field: 'sslRedirect',
    good: [
      ['true', true],
      ['false', false],
    ],
    bad: ['True', 'yes', '1', '', 'false '],
  },
  {
    key: 'upstream-keepalive-connections',
    field: 'upstreamKeepaliveConnections',
    good: [
      ['1', 1],
      ['64', 64],
      ['99999', 99999],
    ],
    bad: ['-1', '1.5', '100000', '', 'ten', '10;'],
  },
];

describe('readSettings', () => {
  it('returns the defaults and no diagnostics when the ConfigMap is missing', () => {
    expect(readSettings([configMap({}, 'other')], source)).to.deep.equal({ settings: defaultProxySettings, annotations: defaultAnnotationSettings, diagnostics: [] });
  });

  for (const { key, field, good, bad } of cases) {
    describe(key, () => {
      for (const [value, expected] of good) {
        it(`accepts ${JSON.stringify(value)}`, () => {
          const { settings, diagnostics } = read({ [key]: value });
          expect(diagnostics).to.deep.equal([]);
          expect(settings[field]).to.equal(expected);
        });
      }

      for (const value of bad) {
        it(`keeps the default for ${JSON.stringify(value)} with an error naming the key`, () => {
          const { settings, diagnostics } = read({ [key]: value });
          expect(settings).to.deep.equal(defaultProxySettings);
          expect(diagnostics).to.have.length(1);
          expect(diagnostics[0]).to.deep.include({
            severity: 'error',
            code: 'INVALID_SETTING',
            object: { kind: 'ConfigMap', namespace: 'ops', name: 'portico' },
            field: `data.${key}`,
          });
          expect(diagnostics[0]?.message).to.match(/^expected .+; the default is kept$/);
        });
      }
    });
  }

  it('never lets upstream-keepalive-connections "0" reach nginx as `keepalive 0`', () => {
    // nginx refuses `keepalive 0;` ("invalid value"), and the upstream template prints the view's number as is.
    // Either fix passes: refuse "0" here (the default is kept), or make 0 omit the directive.
    const { model } = buildModel(
      snapshotOf([
        configMap({ 'upstream-keepalive-connections': '0' }),
        ingress('web', { rules: [{ host: 'a.example.com', paths: [{ service: 'web' }] }] }),
        service('web'),
        endpoints('web', { port: 8080, ready: ['10.0.0.1'] }),
      ]),
      goldenOptions,
    );
    const view = toConfigView(model, runtimeLayout('/run/portico'), goldenOptions.render);
    expect(view.upstreams).to.have.length(1);
    expect(view.upstreams.map((u) => u.keepalive)).not.to.include(0);
  });

  it('reports an unknown key as info and ignores it', () => {
    const { settings, diagnostics } = read({ 'enable-snippets': 'true' });
    expect(settings).to.deep.equal(defaultProxySettings);
    expect(diagnostics).to.deep.equal([
      { severity: 'info', code: 'INVALID_SETTING', object: { kind: 'ConfigMap', namespace: 'ops', name: 'portico' }, field: 'data.enable-snippets', message: 'unknown key, ignored' },
    ]);
  });

  it('applies good keys even when others are bad, and reports keys in order', () => {
    const { settings, diagnostics } = read({ 'ssl-redirect': 'nope', 'proxy-read-timeout': '120', zz: 'x', 'proxy-body-size': '2m' });
    expect(settings).to.deep.equal({ ...defaultProxySettings, readTimeoutSeconds: 120, bodySize: '2m' });
    expect(diagnostics.map((d) => d.field)).to.deep.equal(['data.ssl-redirect', 'data.zz']);
  });

  it('reads the ConfigMap of the pinned namespace only', () => {
    const maps = [configMap({ 'proxy-read-timeout': '10' }, 'portico', 'aaa'), configMap({ 'proxy-read-timeout': '20' }, 'portico', 'ops')];
    expect(readSettings(maps, { namespace: 'ops', name: 'portico' }).settings.readTimeoutSeconds).to.equal(20);
    expect(readSettings(maps, { namespace: 'nowhere', name: 'portico' }).settings).to.deep.equal(defaultProxySettings);
  });

  it('takes the first namespace in order when none is pinned, whatever the input order', () => {
    const maps = [configMap({ 'proxy-read-timeout': '20' }, 'portico', 'ops'), configMap({ 'proxy-read-timeout': '10' }, 'portico', 'aaa')];
    expect(readSettings(maps, source).settings.readTimeoutSeconds).to.equal(10);
    expect(readSettings([...maps].reverse(), source).settings.readTimeoutSeconds).to.equal(10);
  });

  it('does not change the shared defaults', () => {
    read({ 'proxy-read-timeout': '5', 'ssl-redirect': 'false' });
    expect(defaultProxySettings.readTimeoutSeconds).to.equal(60);
    expect(defaultProxySettings.sslRedirect).to.equal(true);
  });
});
