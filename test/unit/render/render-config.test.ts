// Unit tests for renderConfig on hand-made models: the per-location HTTPS redirect, which no build produces
// today (ssl-redirect is per server), and the action each location prints.
import { expect } from 'chai';
import { KeyMaterial, type Location, type NginxModel, type VirtualServer } from '../../../src/model/nginx-model.js';
import { defaultProxySettings } from '../../../src/model/settings.js';
import { compileTemplates, renderConfig, type ConfigTemplate } from '../../../src/render/render-config.js';
import { loadTemplates } from '../../../src/runtime/load-templates.js';

const proxy = (upstream: string): Location['action'] => ({ kind: 'proxy', upstream });
const location = (modifier: '=' | '', path: string, sslRedirect: boolean, action: Location['action']): Location => ({ modifier, path, sslRedirect, action, route: undefined, directives: [] });

function model(servers: VirtualServer[]): NginxModel {
  return {
    settings: defaultProxySettings,
    servers,
    defaultServer: { locations: [location('', '/', false, { kind: 'status', code: 404 })], directives: [] },
    upstreams: [
      { name: 'ns_down_80', service: { kind: 'Service', namespace: 'ns', name: 'down' }, servicePort: '80', endpoints: [], affinity: 'none' },
      { name: 'ns_web_80', service: { kind: 'Service', namespace: 'ns', name: 'web' }, servicePort: '80', endpoints: [{ address: '10.0.0.1', port: 8080 }], affinity: 'none' },
    ],
    certificates: [{ name: 'ns_tls', secret: { kind: 'Secret', namespace: 'ns', name: 'tls' }, subjectAltNames: [], notAfter: '', fingerprint256: '', material: new KeyMaterial('', '') }],
    authFiles: [],
    httpDirectives: [],
  };
}

/** The text of the server blocks naming `host`, one string per block. */
function serverBlocks(config: string, host: string): string[] {
  return config.split('\n    server {\n').filter((block) => block.includes(`server_name "${host}";`));
}

describe('renderConfig', () => {
  let template: ConfigTemplate;
  before(async () => {
    template = await loadTemplates();
  });
  const render = (servers: VirtualServer[]): string =>
    renderConfig(model(servers), template, { runtimeDir: '/run/portico', httpPort: 80, httpsPort: 443, listenAddress: undefined }).config;

  it('gives a redirect only to the locations that ask for one when a server mixes them', () => {
    const config = render([
      {
        host: 'a.example.com',
        tls: { kind: 'secret', certificate: 'ns_tls' },
        locations: [location('=', '/login', true, proxy('ns_web_80')), location('', '/', false, proxy('ns_web_80'))],
        directives: [],
      },
    ]);
    const blocks = serverBlocks(config, 'a.example.com');
    expect(blocks).to.have.length(1);
    expect(blocks[0]).to.contain(
      [
        '        location = "/login" {',
        '            if ($scheme = http) {',
        '                return 308 "https://$host$request_uri";',
        '            }',
        '            proxy_pass http://ns_web_80;',
        '        }',
        '        location "/" {',
        '            proxy_pass http://ns_web_80;',
        '        }',
      ].join('\n'),
    );
  });

  it('moves the redirect to a server of its own when every location of a host asks for it', () => {
    const config = render([{ host: 'a.example.com', tls: { kind: 'default' }, locations: [location('', '/', true, proxy('ns_web_80'))], directives: [] }]);
    const [httpServer, httpsServer] = serverBlocks(config, 'a.example.com');
    expect(httpServer).to.contain('        return 308 https://$host$request_uri;');
    expect(httpServer).not.to.contain('location');
    expect(httpsServer).to.contain('        location "/" {\n            proxy_pass http://ns_web_80;\n        }');
    expect(httpsServer).not.to.contain('$scheme');
  });

  it('answers 503 for an upstream without ready endpoints, which it leaves out', () => {
    const config = render([{ host: 'a.example.com', tls: undefined, locations: [location('', '/', false, proxy('ns_down_80'))], directives: [] }]);
    expect(serverBlocks(config, 'a.example.com')[0]).to.contain('        location "/" {\n            return 503;\n        }');
    expect(config).not.to.contain('upstream ns_down_80');
  });

  describe('{{#each}}', () => {
    // The view is typed for the real templates; these feed the compiled function other shapes on purpose.
    const compile = (main: string): ((view: unknown) => string) => compileTemplates({ main, partials: {} }) as (view: unknown) => string;

    it('prints each item of an array, and {{else}} for an empty one', () => {
      const list = compile('{{#each items}}[{{this}}]{{else}}none{{/each}}');
      expect(list({ items: ['a', 'b'] })).to.equal('[a][b]');
      expect(list({ items: [] })).to.equal('none');
    });

    it('refuses anything but an array', () => {
      const list = compile('{{#each items}}{{this}}{{/each}}');
      expect(() => list({ items: { a: 1 } })).to.throw(TypeError, /takes an array/);
    });
  });
});
