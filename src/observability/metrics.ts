// Prometheus metrics of the controller (prom-client), in one registry that /metrics serves.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ObjectKind } from '../model/kube.js';
import type { NginxModel } from '../model/nginx-model.js';
import type { ReconcileOutcome } from '../reconcile/reconcile-loop.js';

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly #reloads = new Counter({ name: 'portico_nginx_reloads_total', help: 'nginx starts and reloads that went live, by reason', labelNames: ['reason'], registers: [this.registry] });
  readonly #reloadFailures = new Counter({ name: 'portico_nginx_reload_failures_total', help: 'configs nginx rejected or did not take, by kind', labelNames: ['kind'], registers: [this.registry] });
  readonly #lastReloadSeconds = new Gauge({ name: 'portico_nginx_last_reload_duration_seconds', help: 'duration of the last start or reload, test included', registers: [this.registry] });
  readonly #lastReloadSuccess = new Gauge({ name: 'portico_nginx_last_reload_success', help: '1 if the last change went live, 0 if it was refused', registers: [this.registry] });
  readonly #configHash = new Gauge({ name: 'portico_config_hash', help: 'the first 12 hex digits of the sha256 of the live nginx.conf, as a number', registers: [this.registry] });
  readonly #rebuildSeconds = new Histogram({
    name: 'portico_rebuild_duration_seconds',
    help: 'build and render time of one rebuild',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly #objects = new Gauge({ name: 'portico_objects', help: 'objects in the store, by kind', labelNames: ['kind'], registers: [this.registry] });
  readonly #rejectedIngresses = new Gauge({ name: 'portico_rejected_ingresses', help: 'Ingresses with an error diagnostic', registers: [this.registry] });
  readonly #informerRestarts = new Gauge({ name: 'portico_informer_restarts', help: 'informer restarts after failures, by kind', labelNames: ['kind'], registers: [this.registry] });
  readonly #leader = new Gauge({ name: 'portico_leader', help: '1 while this replica leads (writes Ingress status and Events)', registers: [this.registry] });
  readonly #certificateExpiry = new Gauge({
    name: 'portico_certificate_expiry_timestamp_seconds',
    help: 'notAfter of each served certificate',
    labelNames: ['secret'],
    registers: [this.registry],
  });

  recordOutcome(outcome: ReconcileOutcome): void {
    this.#rebuildSeconds.observe(outcome.buildMs / 1000);
    const rejected = new Set(outcome.diagnostics.filter((d) => d.severity === 'error' && d.object.kind === 'Ingress').map((d) => `${d.object.namespace}/${d.object.name}`));
    this.#rejectedIngresses.set(rejected.size);
    const result = outcome.result;
    if (result.kind === 'applied') {
      this.#reloads.inc({ reason: result.reason });
      this.#lastReloadSeconds.set(result.durationMs / 1000);
      this.#lastReloadSuccess.set(1);
      this.#configHash.set(Number.parseInt(outcome.configHash.slice(0, 12), 16));
    } else if (result.kind === 'rejected' || result.kind === 'failed') {
      this.#reloadFailures.inc({ kind: result.kind });
      this.#lastReloadSuccess.set(0);
    }
  }

  recordModel(model: NginxModel): void {
    this.#certificateExpiry.reset();
    for (const certificate of model.certificates) {
      this.#certificateExpiry.set({ secret: `${certificate.secret.namespace}/${certificate.secret.name}` }, Date.parse(certificate.notAfter) / 1000);
    }
  }

  recordLeadership(isLeader: boolean): void {
    this.#leader.set(isLeader ? 1 : 0);
  }

  recordObjects(counts: Record<ObjectKind, number>): void {
    for (const [kind, count] of Object.entries(counts)) this.#objects.set({ kind }, count);
  }

  recordInformerRestarts(restarts: Record<string, number>): void {
    for (const [kind, count] of Object.entries(restarts)) this.#informerRestarts.set({ kind }, count);
  }
}
