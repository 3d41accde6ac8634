// What must agree across deploy/, the controller and the image: ports between the Service, the containers and
// the controller's flags; the flags themselves (parsed by the real controller command); the runtime directory
// both containers share; the pod's security; names that point at each other (ConfigMap, IngressClass,
// publish Service, Lease); the image's user and build context.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { expect } from 'chai';
import { defaultAnnotationSettings } from '../../src/annotations/annotation-settings.js';
import { annotationSettingKeys, readSettings, settingKeys } from '../../src/build/read-settings.js';
import { defaultClassSettings, defaultProxySettings } from '../../src/model/settings.js';
import { normalizeObject } from '../../src/sources/normalize-object.js';
import type { ConfigMap } from '../../src/model/kube.js';
import { kustomizeBuild, type ManifestObject } from './kustomize-build.js';
import {
  environmentOf,
  INSTALLS,
  objectNamed,
  objectsOf,
  parseControllerArgs,
  REPO,
  workloadOf,
  type Container,
  type ControllerFlags,
  type Workload,
} from './installs.js';

interface ServicePort {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number | string;
  readonly nodePort?: number;
  readonly protocol?: string;
}

/** The container port a probe or Service targetPort names (by name or number). */
function containerPort(container: Container, port: number | string): number | undefined {
  return typeof port === 'number' ? container.ports?.find((p) => p.containerPort === port)?.containerPort : container.ports?.find((p) => p.name === port)?.containerPort;
}

function qualified(reference: string, namespace: string): string {
  return reference.includes('/') ? reference : `${namespace}/${reference}`;
}

describe('deploy/ invariants', () => {
  for (const install of INSTALLS) {
    describe(install.name, () => {
      let objects: ManifestObject[];
      let workload: Workload;
      let flags: ControllerFlags;
      let namespace: string;

      before(async () => {
        objects = await kustomizeBuild(install.dir);
        workload = workloadOf(objects);
        namespace = workload.object.metadata.namespace ?? '';
        flags = await parseControllerArgs(workload.controller.args ?? [], environmentOf(workload.controller, workload.object));
      });

      it('gives the controller only flags the controller command knows, in sidecar mode, in its own namespace', () => {
        expect(workload.controller.command, 'the image entrypoint runs portico').to.equal(undefined);
        expect(flags.nginxMode).to.equal('sidecar');
        expect(flags.controllerNamespace).to.equal(namespace);
        expect(workload.controller.image).to.equal(workload.nginx.image);
      });

      it('agrees on ports: Service targetPort → nginx container port → --http-port / --https-port', () => {
        const service = objectNamed(objects, 'Service', 'portico', namespace);
        const spec = service['spec'] as { type: string; externalTrafficPolicy: string; selector: Record<string, string>; ports: ServicePort[] };
        expect(spec.type).to.equal('NodePort');
        expect(spec.externalTrafficPolicy).to.equal('Local');
        const byName = Object.fromEntries(spec.ports.map((p) => [p.name, p]));
        expect(Object.keys(byName).sort()).to.deep.equal(['http', 'https']);
        expect(containerPort(workload.nginx, byName['http']?.targetPort ?? -1)).to.equal(flags.httpPort);
        expect(containerPort(workload.nginx, byName['https']?.targetPort ?? -1)).to.equal(flags.httpsPort);
        expect([byName['http']?.port, byName['https']?.port]).to.deep.equal([80, 443]);
        for (const port of spec.ports) {
          expect(port.nodePort, `${port.name}: a fixed nodePort`).to.be.within(30000, 32767);
          expect(port.protocol ?? 'TCP').to.equal('TCP');
        }
        // The health port is the controller's, and never exposed through the NodePort Service.
        expect(spec.ports.map((p) => p.targetPort)).not.to.include(flags.healthPort);
        expect(spec.ports.map((p) => p.targetPort)).not.to.include('metrics');
      });

      it('probes the controller on --health-port (/readyz, /healthz) and nginx on its HTTP port', () => {
        const { controller, nginx } = workload;
        expect(controller.readinessProbe?.httpGet?.path).to.equal('/readyz');
        expect(controller.livenessProbe?.httpGet?.path).to.equal('/healthz');
        for (const probe of [controller.readinessProbe, controller.livenessProbe]) {
          expect(containerPort(controller, probe?.httpGet?.port ?? -1)).to.equal(flags.healthPort);
        }
        for (const probe of [nginx.startupProbe, nginx.readinessProbe, nginx.livenessProbe]) {
          expect(containerPort(nginx, probe?.tcpSocket?.port ?? -1)).to.equal(flags.httpPort);
        }
      });

      it('shares --runtime-dir between the containers, and the nginx container starts and drains nginx there', () => {
        const runtimeMount = (container: Container) => container.volumeMounts?.find((m) => m.mountPath === flags.runtimeDir);
        const controllerMount = runtimeMount(workload.controller);
        const nginxMount = runtimeMount(workload.nginx);
        expect(controllerMount?.name).to.be.a('string');
        expect(nginxMount?.name).to.equal(controllerMount?.name);
        expect(workload.pod.volumes?.find((v) => v.name === controllerMount?.name)?.emptyDir).to.be.an('object');
        expect(workload.nginx.command).to.deep.equal(['portico-nginx', flags.runtimeDir]);
        expect(workload.nginx.lifecycle?.preStop?.exec?.command).to.deep.equal(['portico-nginx', flags.runtimeDir, '--drain']);
        expect(workload.pod.shareProcessNamespace, 'the controller signals nginx by pid').to.equal(true);
        // The controller's `nginx -t` writes the logs the config names into a volume of its own.
        expect(workload.controller.volumeMounts?.map((m) => m.mountPath)).to.include('/var/log/portico');
        expect(workload.nginx.volumeMounts?.map((m) => m.mountPath)).not.to.include('/var/log/portico');
      });

      it('runs every container without privilege: non-root, no capability, read-only root, no escalation', () => {
        const pod = workload.pod;
        expect(pod.securityContext?.runAsNonRoot).to.equal(true);
        expect(pod.securityContext?.runAsUser).to.be.a('number').and.not.equal(0);
        expect(pod.securityContext?.seccompProfile?.type).to.equal('RuntimeDefault');
        expect(pod.hostNetwork ?? false).to.equal(false);
        expect(pod.hostPID ?? false).to.equal(false);
        for (const container of pod.containers) {
          const context = container.securityContext;
          expect(context?.allowPrivilegeEscalation, container.name).to.equal(false);
          expect(context?.readOnlyRootFilesystem, container.name).to.equal(true);
          expect(context?.privileged ?? false, container.name).to.equal(false);
          expect(context?.runAsUser, `${container.name}: one uid for the pod (signals, 0600 keys)`).to.equal(undefined);
          expect(context?.capabilities?.drop, container.name).to.deep.equal(['ALL']);
          expect(context?.capabilities?.add ?? [], container.name).to.deep.equal([]);
          expect(container.ports?.every((p) => !('hostPort' in p)), container.name).to.equal(true);
        }
        // Every volume is an emptyDir (the restricted Pod Security level allows no host paths).
        expect(pod.volumes?.every((v) => Object.keys(v).sort().join() === 'emptyDir,name')).to.equal(true);
      });

      it('lets nginx bind --http-port and --https-port without a capability: the pod lowers the unprivileged port start', () => {
        const sysctl = workload.pod.securityContext?.sysctls?.find((s) => s.name === 'net.ipv4.ip_unprivileged_port_start');
        expect(Number(sysctl?.value)).to.be.at.most(Math.min(flags.httpPort, flags.httpsPort));
        // Only this sysctl: it is in the Kubernetes safe set, so no kubelet flag is needed.
        expect(workload.pod.securityContext?.sysctls).to.have.length(1);
      });

      it('requests resources and caps memory for every container', () => {
        for (const container of workload.pod.containers) {
          expect(container.resources?.requests?.['cpu'], container.name).to.be.a('string');
          expect(container.resources?.requests?.['memory'], container.name).to.be.a('string');
          expect(container.resources?.limits?.['memory'], container.name).to.be.a('string');
        }
      });

      it('selects its own pods: workload selector, Service selector and disruption budget agree with the pod labels', () => {
        const matches = (selector: Record<string, string>) => Object.entries(selector).every(([key, value]) => workload.labels[key] === value);
        expect(Object.keys(workload.selector)).not.to.have.length(0);
        expect(matches(workload.selector)).to.equal(true);
        const service = objectNamed(objects, 'Service', 'portico', namespace)['spec'] as { selector: Record<string, string> };
        expect(matches(service.selector)).to.equal(true);
        for (const budget of objectsOf(objects, 'PodDisruptionBudget')) {
          const spec = budget['spec'] as { selector: { matchLabels: Record<string, string> } };
          expect(matches(spec.selector.matchLabels)).to.equal(true);
        }
      });

      it('runs as the ServiceAccount that the RBAC bindings name', () => {
        const account = objectNamed(objects, 'ServiceAccount', workload.pod.serviceAccountName ?? '', namespace);
        const bindings = [...objectsOf(objects, 'ClusterRoleBinding'), ...objectsOf(objects, 'RoleBinding')];
        expect(bindings).not.to.have.length(0);
        for (const binding of bindings) {
          expect(binding['subjects'], binding.metadata.name).to.deep.equal([{ kind: 'ServiceAccount', name: account.metadata.name, namespace }]);
        }
      });

      it('names the objects that exist: --configmap, --publish-service, --ingress-class and --controller-class', () => {
        const [configMapNamespace, configMapName] = qualified(flags.configmap, namespace).split('/');
        objectNamed(objects, 'ConfigMap', configMapName ?? '', configMapNamespace);
        const [serviceNamespace, serviceName] = qualified(flags.publishService ?? '', namespace).split('/');
        expect(objectNamed(objects, 'Service', serviceName ?? '', serviceNamespace)['spec']).to.include({ type: 'NodePort' });
        const ingressClass = objectNamed(objects, 'IngressClass', flags.ingressClass);
        expect(ingressClass['spec']).to.deep.equal({ controller: flags.controllerClass });
        expect(flags.controllerClass).to.equal(defaultClassSettings.controllerClass);
      });

      it('documents every setting of the ConfigMap with its default', () => {
        const raw = objectNamed(objects, 'ConfigMap', qualified(flags.configmap, namespace).split('/')[1] ?? '');
        expect(Object.keys(raw['data'] as object).sort()).to.deep.equal([...Object.keys(settingKeys), ...Object.keys(annotationSettingKeys)].sort());
        const normalized = normalizeObject(raw);
        if (normalized.status !== 'ok') throw new Error(`the ConfigMap does not normalize: ${JSON.stringify(normalized)}`);
        const { settings, annotations, diagnostics } = readSettings([normalized.object as ConfigMap], { namespace, name: raw.metadata.name });
        expect(diagnostics).to.deep.equal([]);
        expect(settings).to.deep.equal(defaultProxySettings);
        expect(annotations).to.deep.equal(defaultAnnotationSettings);
      });

      it('limits get and update of the election Lease to --election-id', () => {
        const role = objectNamed(objects, 'Role', 'portico', namespace);
        const rules = role['rules'] as { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] }[];
        const named = rules.filter((r) => r.resources.includes('leases') && r.resourceNames !== undefined);
        expect(named.map((r) => r.resourceNames)).to.deep.equal([[flags.electionId]]);
      });

      if (install.name.includes('namespaced')) {
        it('grants in the namespace it watches (--watch-namespace) what the base grants cluster-wide', () => {
          expect(flags.watchNamespace).to.be.a('string');
          const role = objectNamed(objects, 'Role', 'portico', flags.watchNamespace);
          const binding = objectNamed(objects, 'RoleBinding', 'portico', flags.watchNamespace);
          expect(binding['roleRef']).to.deep.equal({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
        });
      }
    });
  }

  it('the flag check refuses an option the controller command does not have, and a value it does not accept', async () => {
    const refusal = async (args: string[]): Promise<string> => parseControllerArgs(args, {}).then(() => 'accepted', (error: unknown) => String(error));
    expect(await refusal(['controller', '--http-prot=80'])).to.match(/unknown option '--http-prot=80'/);
    expect(await refusal(['controller', '--http-port=0'])).to.match(/expected a port number/);
    expect(await refusal(['render', '--http-port=80'])).to.match(/not "controller"/);
  });

  describe('the image', () => {
    let dockerfile: string;
    let installScript: string;
    let workload: Workload;
    before(async () => {
      dockerfile = await readFile(resolve(REPO, 'Dockerfile'), 'utf8');
      installScript = await readFile(resolve(REPO, 'deploy/image/install-runtime.sh'), 'utf8');
      workload = workloadOf(await kustomizeBuild(resolve(REPO, 'deploy')));
    });

    it('runs as the uid of the pod, which the install script creates', () => {
      const uid = workload.pod.securityContext?.runAsUser;
      expect(/^USER (\d+):(\d+)$/m.exec(dockerfile)?.slice(1).map(Number)).to.deep.equal([uid, workload.pod.securityContext?.runAsGroup]);
      expect(Number(/^PORTICO_UID=(\d+)$/m.exec(installScript)?.[1])).to.equal(uid);
    });

    it('is built on the Node major version the project runs on, with the runtime installed by the install script', async () => {
      const manifest = JSON.parse(await readFile(resolve(REPO, 'package.json'), 'utf8')) as { engines: { node: string }; devDependencies: Record<string, string> };
      const major = /(\d+)/.exec(manifest.engines.node)?.[1];
      expect(/\^(\d+)/.exec(manifest.devDependencies['node'] ?? '')?.[1]).to.equal(major);
      expect(/^FROM node:(\d+)-/m.exec(dockerfile)?.[1]).to.equal(major);
      expect(dockerfile).to.match(/^RUN sh \/tmp\/portico-image\/install-runtime\.sh image /m);
      expect(installScript).to.include('install -m 0755 "$HERE/portico-nginx.sh" /usr/local/bin/portico-nginx');
      expect(workload.nginx.command?.[0]).to.equal('portico-nginx');
    });

    it('copies into /opt/portico what the install script stages for its check: the app and production node_modules', () => {
      const copied = [...dockerfile.matchAll(/^COPY --from=build \/src\/(\S+) \/opt\/portico\/(\S+)$/gm)].map((m) => {
        expect(m[2], 'same place in the image as in the build').to.equal(m[1]);
        return m[1];
      });
      const staged = /^APP_FILES="([^"]+)"$/m.exec(installScript)?.[1]?.split(' ') ?? [];
      expect(staged).not.to.have.length(0);
      expect(copied.sort()).to.deep.equal([...staged, 'node_modules'].sort());
      expect(dockerfile).to.match(/npm prune --omit=dev/);
      expect(dockerfile, 'pruned like the staged app').to.match(/install-runtime\.sh prune \. /);
    });

    it('sends every file a COPY names into the build context (.dockerignore)', async () => {
      const ignore = (await readFile(resolve(REPO, '.dockerignore'), 'utf8')).split('\n').filter((line) => line !== '' && !line.startsWith('#'));
      expect(ignore[0]).to.equal('*');
      const allowed = ignore.slice(1).map((line) => line.replace(/^!/, '').replace(/\/$/, ''));
      const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] ?? '').split(' '));
      expect(sources).not.to.have.length(0);
      for (const source of sources) expect(allowed, source).to.include(source.replace(/\/$/, ''));
    });
  });
});
