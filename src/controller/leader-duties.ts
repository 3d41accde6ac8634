// What the controller reports back to the Kubernetes API, and who does it: replicas elect a leader over a
// Lease; the leader keeps the served Ingresses' status.loadBalancer equal to the published addresses and
// records an Event per new Ingress problem. Kubernetes source only.
import { kubernetesLeaseClient } from '../election/kubernetes-lease-client.js';
import { LeaseElector, type ElectionClock, type LeaseTimings } from '../election/lease-elector.js';
import { keyOf } from '../model/kube.js';
import type { ClassSettings } from '../model/settings.js';
import type { Logger } from '../observability/logger.js';
import type { ReconcileOutcome } from '../reconcile/reconcile-loop.js';
import type { KubernetesSource } from '../sources/kubernetes/kubernetes-source.js';
import { IngressStatusSync } from '../status/ingress-status-sync.js';
import { kubernetesEventRecorder, kubernetesIngressStatusPort } from '../status/kubernetes-status-api.js';
import { servedIngresses } from '../status/plan-status-updates.js';
import { ProblemEventRecorder } from '../status/problem-events.js';
import { PublishServiceWatch } from '../status/publish-service-watch.js';

/** Where the addresses written into Ingress status come from. */
export type PublishSource =
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'addresses'; readonly addresses: readonly string[] };

export interface ElectionOptions {
  /** The Lease's name (`--election-id`). */
  readonly leaseName: string;
  /** The controller's namespace, where the Lease lives. */
  readonly namespace: string;
  /** This replica: the pod name, else the host name. */
  readonly identity: string;
  readonly timings?: LeaseTimings;
  readonly clock?: ElectionClock;
}

export interface LeaderDutiesOptions {
  /** Undefined: Ingress status is not written (Events still are). */
  readonly publish: PublishSource | undefined;
  /** Clear the status of the served Ingresses when the leader stops (unless another replica runs on). */
  readonly updateStatusOnShutdown: boolean;
  readonly election: ElectionOptions;
  /** How often status is checked again with nothing changed: nodes of a NodePort Service, edits by others. 60 s. */
  readonly statusResyncMs?: number;
}

export interface LeaderDuties {
  onOutcome(outcome: ReconcileOutcome): void;
  isLeader(): boolean;
  /** Resolves when no status pass or Event is in progress (for tests). */
  idle(): Promise<void>;
  /** Stops; as leader, clears status if asked, then releases the Lease. */
  stop(): Promise<void>;
}

export function startLeaderDuties(
  source: KubernetesSource,
  options: LeaderDutiesOptions,
  classes: ClassSettings,
  logger: Logger,
  onLeadershipChange: (isLeader: boolean) => void = () => undefined,
): LeaderDuties {
  const { config } = source;
  const lookup = (namespace: string, name: string) => source.ingress(namespace, name);
  const { identity } = options.election;
  const status = new IngressStatusSync({
    port: kubernetesIngressStatusPort(config, lookup),
    onWritten: (update) =>
      logger.info({ ingress: keyOf(update.ingress), addresses: update.loadBalancer.map((entry) => ('ip' in entry ? entry.ip : entry.hostname)) }, 'ingress status written'),
    onError: (error, ingress) => logger.warn({ err: error, ingress: keyOf(ingress) }, 'ingress status not written; tried again at the next pass'),
  });
  const sync = (): void => void status.sync().catch((error: unknown) => logger.error({ err: error }, 'ingress status pass failed'));

  const elector = new LeaseElector({
    identity,
    client: kubernetesLeaseClient(config, options.election.namespace, options.election.leaseName),
    ...(options.election.timings === undefined ? {} : { timings: options.election.timings }),
    ...(options.election.clock === undefined ? {} : { clock: options.election.clock }),
    onLeadershipChange: (isLeader) => {
      logger.info({ identity, lease: `${options.election.namespace}/${options.election.leaseName}` }, isLeader ? 'leading: writing status and events' : 'not leading');
      status.setLeader(isLeader);
      onLeadershipChange(isLeader);
      if (isLeader) sync();
    },
    onError: (error) => logger.warn({ err: error }, 'leader election: the Lease could not be read or written; retrying'),
  });

  const events = new ProblemEventRecorder({
    record: kubernetesEventRecorder(config, lookup, { identity }),
    isLeader: () => elector.isLeader,
    onError: (error, problem) => logger.warn({ err: error, ingress: keyOf(problem.ingress) }, 'event not recorded; tried again at the next rebuild'),
  });

  let publishWatch: PublishServiceWatch | undefined;
  const publish = options.publish;
  if (publish?.kind === 'addresses') {
    status.setAddresses(publish.addresses);
  } else if (publish?.kind === 'service') {
    let last: string | undefined;
    publishWatch = new PublishServiceWatch(config, publish, {
      onAddresses: (addresses) => {
        const text = addresses?.join(',');
        if (text !== last) {
          if (addresses === undefined) logger.warn({ service: `${publish.namespace}/${publish.name}` }, 'publish Service not found; status left as it is');
          else logger.info({ service: `${publish.namespace}/${publish.name}`, addresses }, 'publish addresses');
          last = text;
        }
        status.setAddresses(addresses);
        sync();
      },
      onProblem: (message, error) => logger.warn({ err: error }, message),
    });
    void publishWatch.start();
  }

  elector.start();
  const resync = setInterval(() => {
    if (publishWatch === undefined) sync();
    else void publishWatch.refresh().then(sync);
  }, options.statusResyncMs ?? 60_000);
  resync.unref();

  return {
    onOutcome(outcome) {
      const { served, rejected } = servedIngresses(outcome.snapshot, classes);
      status.setIngresses(served, rejected);
      sync();
      events.observe(outcome.diagnostics, new Set(rejected.map(keyOf))).catch((error: unknown) => logger.error({ err: error }, 'events pass failed'));
    },
    isLeader: () => elector.isLeader,
    async idle() {
      await Promise.all([status.idle(), events.idle()]);
    },
    async stop() {
      clearInterval(resync);
      await elector.stop();
      await events.idle();
      const clear = elector.isLeader && options.updateStatusOnShutdown && publish !== undefined && !(await hasOtherReplica());
      await status.close({ clear });
      await publishWatch?.stop();
      await elector.release();
    },
  };

  async function hasOtherReplica(): Promise<boolean> {
    if (publishWatch === undefined) return false;
    try {
      const other = await publishWatch.hasOtherReplica(identity);
      if (other) logger.info('another replica runs on: leaving Ingress status to it');
      return other;
    } catch (error) {
      logger.warn({ err: error }, 'could not tell whether another replica runs on; clearing Ingress status');
      return false;
    }
  }
}
