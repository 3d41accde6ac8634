// The RBAC of each install is exactly what the controller calls. The real `portico controller` runs with the
// install's own Deployment args (only ports, runtime directory, nginx mode and API address overridden for this
// machine) against the fixture API server, through the duties that need permissions: every informer's list
// and watch, leader election, the Ingress status (a NodePort publish Service: its pods, their node), an Event
// for a rejected Ingress, and on SIGTERM the status cleared and the Lease released. Every request it made is
// then checked against the install's Roles and bindings, as the API server's RBAC authorizer would: each must
// be allowed (no less), and each granted verb on each resource must have been used (no more).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { expect } from 'chai';
import { startFakeApiServer, type FakeApiServer, type RecordedRequest } from '../support/fake-api-server/fake-api-server.js';
import { RESOURCE_TYPES } from '../support/fake-api-server/resources.js';
import { nginxBinary } from '../support/nginx-harness.js';
import { freePorts } from '../support/ports.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { kustomizeBuild, type ManifestObject } from './kustomize-build.js';
import { environmentOf, INSTALLS, objectNamed, parseControllerArgs, REPO, workloadOf } from './installs.js';

interface Rule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

/** One request as RBAC sees it. */
interface Access {
  readonly verb: string;
  readonly group: string;
  /** `ingresses`, or `ingresses/status` for the subresource. */
  readonly resource: string;
  /** '' for cluster-scoped objects and requests across all namespaces. */
  readonly namespace: string;
  readonly name: string | undefined;
}

/** A grant: the rules of a role, in force everywhere (a ClusterRoleBinding) or in one namespace. */
interface Grant {
  readonly binding: string;
  readonly namespace: string | undefined;
  readonly rules: readonly Rule[];
}

function accessOf(request: RecordedRequest): Access {
  const type = RESOURCE_TYPES.find((t) => t.id === request.resource);
  if (type === undefined || request.verb === undefined) throw new Error(`a request RBAC cannot place: ${request.method} ${request.path}`);
  const segments = request.path.split('/');
  const at = segments.indexOf('namespaces');
  const namespace = at >= 0 ? (segments[at + 1] ?? '') : '';
  const afterPlural = segments[segments.indexOf(type.plural, at >= 0 ? at + 2 : 0) + 1];
  return {
    verb: request.verb,
    group: type.group,
    resource: request.isStatus ? `${type.plural}/status` : type.plural,
    namespace,
    name: afterPlural === undefined || afterPlural === '' ? undefined : afterPlural,
  };
}

/** The grants bound to the ServiceAccount, as the RBAC authorizer resolves them. */
function grantsOf(objects: readonly ManifestObject[], account: { namespace: string; name: string }): Grant[] {
  const rulesOf = (kind: string, name: string, namespace: string | undefined): Rule[] =>
    objectNamed(objects, kind, name, kind === 'Role' ? namespace : undefined)['rules'] as Rule[];
  return objects
    .filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding')
    .filter((binding) =>
      (binding['subjects'] as { kind: string; name: string; namespace?: string }[]).some(
        (s) => s.kind === 'ServiceAccount' && s.name === account.name && s.namespace === account.namespace,
      ),
    )
    .map((binding) => {
      const roleRef = binding['roleRef'] as { kind: string; name: string };
      const namespace = binding.kind === 'RoleBinding' ? binding.metadata.namespace : undefined;
      return { binding: `${binding.kind} ${namespace ?? ''}/${binding.metadata.name}`, namespace, rules: rulesOf(roleRef.kind, roleRef.name, namespace) };
    });
}

function allows(rule: Rule, access: Access): boolean {
  const names = rule.resourceNames ?? [];
  return (
    (rule.apiGroups.includes(access.group) || rule.apiGroups.includes('*')) &&
    (rule.resources.includes(access.resource) || rule.resources.includes('*')) &&
    (rule.verbs.includes(access.verb) || rule.verbs.includes('*')) &&
    // A rule with resourceNames allows only requests that name one of them (never list, watch or create).
    (names.length === 0 || (access.name !== undefined && names.includes(access.name)))
  );
}

function inScope(grant: Grant, access: Access): boolean {
  return grant.namespace === undefined || grant.namespace === access.namespace;
}

function describeAccess(access: Access): string {
  return `${access.verb} ${access.group === '' ? 'core' : access.group}/${access.resource} in ${access.namespace === '' ? '(all or none)' : access.namespace}${access.name === undefined ? '' : ` name ${access.name}`}`;
}

describe('deploy/ RBAC is exactly what the controller calls (the controller with the install\'s args, fixture API server)', function () {
  this.timeout(60_000);

  for (const install of INSTALLS) {
    describe(install.name, () => {
      let api: FakeApiServer;
      let dir: string;
      let objects: ManifestObject[];
      let accesses: Access[];

      before(async () => {
        objects = await kustomizeBuild(install.dir);
        const workload = workloadOf(objects);
        const controllerNamespace = workload.object.metadata.namespace ?? '';
        const env = { ...environmentOf(workload.controller, workload.object), POD_NAME: 'portico-controller-0' };
        const flags = await parseControllerArgs(workload.controller.args ?? [], env);
        const watched = flags.watchNamespace ?? 'apps';
        const publish = (flags.publishService ?? '').includes('/') ? String(flags.publishService).split('/') : [controllerNamespace, String(flags.publishService)];
        api = await startFakeApiServer();
        dir = await makeTempDir('portico-deploy-rbac-');

        // The install's own objects the controller reads: its IngressClass, ConfigMap and publish Service.
        for (const object of objects) {
          if (object.kind === 'IngressClass' || object.kind === 'ConfigMap' || (object.kind === 'Service' && object.metadata.name === publish[1])) {
            api.apply(object as unknown as Parameters<FakeApiServer['apply']>[0]);
          }
        }
        api.apply({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: env.POD_NAME, namespace: controllerNamespace, labels: workload.labels },
          spec: { nodeName: 'node-1', containers: [{ name: 'controller', image: 'portico' }] },
          status: { phase: 'Running' },
        });
        api.apply({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, status: { addresses: [{ type: 'ExternalIP', address: '192.0.2.7' }] } });
        // An application in the watched namespace: one Ingress served (status), one rejected (an Event).
        api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: watched }, spec: { ports: [{ port: 80 }] } });
        api.apply({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: 'web-1', namespace: watched, labels: { 'kubernetes.io/service-name': 'web' } },
          addressType: 'IPv4',
          ports: [{ port: 9 }],
          endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
        });
        for (const [name, path] of [['web', '/'], ['bad', 'no-slash']] as const) {
          api.apply({
            apiVersion: 'networking.k8s.io/v1',
            kind: 'Ingress',
            metadata: { name, namespace: watched },
            spec: { ingressClassName: flags.ingressClass, rules: [{ host: `${name}.test`, http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
          });
        }

        // The real command, with the install's args; later flags override the earlier ones for this machine.
        const [http, https, health] = (await freePorts(3)) as [number, number, number];
        const child = spawn(
          process.execPath,
          [
            resolve(REPO, 'bin/portico'),
            ...(workload.controller.args ?? []),
            `--kubeconfig=${await api.writeKubeconfig(dir)}`,
            '--nginx-mode=spawn',
            `--nginx-binary=${nginxBinary()}`,
            `--runtime-dir=${dir}/runtime`,
            `--http-port=${http}`,
            `--https-port=${https}`,
            `--health-port=${health}`,
            '--listen-address=127.0.0.1',
          ],
          { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const exited = once(child, 'exit');
        try {
          const status = (name: string) => JSON.stringify(api.get('Ingress', watched, name)?.['status'] ?? {});
          await waitFor(() => status('web').includes('192.0.2.7'), 30_000);
          await waitFor(() => api.list('Event', watched).some((e) => (e['involvedObject'] as { name?: string }).name === 'bad'), 30_000);
        } catch (error) {
          child.kill('SIGKILL');
          throw new Error(`${String(error)}; controller stderr: ${stderr}`);
        }
        const patchesBefore = api.requests.filter((r) => r.verb === 'patch').length;
        child.kill('SIGTERM');
        await exited;
        // On SIGTERM the leader cleared the status it wrote (a patch) and released the Lease (an update).
        expect(api.requests.filter((r) => r.verb === 'patch').length).to.be.greaterThan(patchesBefore);
        accesses = api.requests.map(accessOf);
      });

      after(async () => {
        await api?.close();
        await removeDir(dir);
      });

      it('made only requests its RBAC allows', () => {
        const account = workloadOf(objects);
        const grants = grantsOf(objects, { namespace: account.object.metadata.namespace ?? '', name: account.pod.serviceAccountName ?? '' });
        const denied = accesses.filter((access) => !grants.some((grant) => inScope(grant, access) && grant.rules.some((rule) => allows(rule, access))));
        expect([...new Set(denied.map(describeAccess))]).to.deep.equal([]);
      });

      it('was granted nothing it did not use', () => {
        const account = workloadOf(objects);
        const grants = grantsOf(objects, { namespace: account.object.metadata.namespace ?? '', name: account.pod.serviceAccountName ?? '' });
        const unused: string[] = [];
        for (const grant of grants) {
          for (const rule of grant.rules) {
            for (const group of rule.apiGroups) {
              for (const resource of rule.resources) {
                for (const verb of rule.verbs) {
                  const narrow: Rule = { ...rule, apiGroups: [group], resources: [resource], verbs: [verb] };
                  if (!accesses.some((access) => inScope(grant, access) && allows(narrow, access))) {
                    unused.push(`${grant.binding}: ${verb} ${group === '' ? 'core' : group}/${resource}${rule.resourceNames === undefined ? '' : ` [${rule.resourceNames.join()}]`}`);
                  }
                }
              }
            }
          }
        }
        expect(unused).to.deep.equal([]);
      });

      it('called the API for every duty: informers, election, status, Events', () => {
        const used = new Set(accesses.map((a) => `${a.verb} ${a.resource}`));
        for (const expected of ['list ingresses', 'watch ingresses', 'list ingressclasses', 'list services', 'list endpointslices', 'list secrets', 'list configmaps', 'create leases', 'update leases', 'patch ingresses/status', 'create events', 'list pods', 'get nodes']) {
          expect([...used], expected).to.include(expected);
        }
      });
    });
  }
});
