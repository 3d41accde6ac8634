// Unit tests for selectIngresses: which Ingresses belong to Portico by IngressClass, class name, legacy annotation and default class.
import { expect } from 'chai';
import { LEGACY_CLASS_ANNOTATION, selectIngresses } from '../../../src/build/select-ingresses.js';
import type { Ingress, IngressClass } from '../../../src/model/kube.js';
import { defaultClassSettings, type ClassSettings } from '../../../src/model/settings.js';
import { ingress, ingressClass } from '../../support/objects.js';

const ours = defaultClassSettings.controllerClass;
const theirs = 'k8s.io/ingress-nginx';

function selectedNames(ingresses: readonly Ingress[], classes: readonly IngressClass[], settings: ClassSettings = defaultClassSettings): string[] {
  return selectIngresses(ingresses, classes, settings).selected.map((i) => i.metadata.name);
}

const web = (className: string | null, annotations: Record<string, string> = {}): Ingress =>
  ingress('web', { className, annotations, rules: [{ host: 'a.example.com', paths: [{ service: 'web' }] }] });

describe('selectIngresses', () => {
  it('selects an Ingress whose IngressClass names our controller, whatever the class is called', () => {
    expect(selectedNames([web('edge')], [ingressClass('edge', ours)])).to.deep.equal(['web']);
  });

  it('ignores an Ingress whose IngressClass names another controller', () => {
    const result = selectIngresses([web('nginx')], [ingressClass('nginx', theirs)], defaultClassSettings);
    expect(result.selected).to.deep.equal([]);
    expect(result.diagnostics).to.deep.equal([
      {
        severity: 'info',
        code: 'IGNORED_CLASS',
        object: { kind: 'Ingress', namespace: 'default', name: 'web' },
        field: '',
        message: 'ignored: its class "nginx" belongs to another controller',
      },
    ]);
  });

  it('selects an Ingress naming the --ingress-class when no IngressClass object exists', () => {
    expect(selectedNames([web('portico')], [])).to.deep.equal(['web']);
  });

  it('follows a configured --ingress-class name', () => {
    const settings = { ...defaultClassSettings, ingressClass: 'edge' };
    expect(selectedNames([web('edge'), ingress('other', { className: 'portico' })], [], settings)).to.deep.equal(['web']);
  });

  it('ignores an Ingress naming an unknown class that is not ours', () => {
    expect(selectedNames([web('nginx')], [])).to.deep.equal([]);
  });

  it('ignores our class name when an IngressClass of that name belongs to another controller', () => {
    const result = selectIngresses([web('portico')], [ingressClass('portico', theirs)], defaultClassSettings);
    expect(result.selected).to.deep.equal([]);
    expect(result.diagnostics.map((d) => d.code)).to.deep.equal(['IGNORED_CLASS']);
  });

  it('lets the legacy annotation win over spec.ingressClassName, both ways', () => {
    const classes = [ingressClass('portico', ours), ingressClass('nginx', theirs)];
    expect(selectedNames([web('portico', { [LEGACY_CLASS_ANNOTATION]: 'nginx' })], classes)).to.deep.equal([]);
    expect(selectedNames([web('nginx', { [LEGACY_CLASS_ANNOTATION]: 'portico' })], classes)).to.deep.equal(['web']);
  });

  it('reads the legacy annotation alone', () => {
    expect(selectedNames([web(null, { [LEGACY_CLASS_ANNOTATION]: 'portico' })], [])).to.deep.equal(['web']);
  });

  describe('an Ingress naming no class', () => {
    it('is selected when one of our IngressClasses is the default', () => {
      expect(selectedNames([web(null)], [ingressClass('portico', ours, true)])).to.deep.equal(['web']);
    });

    it('is ignored when the default class belongs to another controller', () => {
      expect(selectedNames([web(null)], [ingressClass('portico', ours), ingressClass('nginx', theirs, true)])).to.deep.equal([]);
    });

    it('is selected with watchIngressWithoutClass', () => {
      expect(selectedNames([web(null)], [], { ...defaultClassSettings, watchIngressWithoutClass: true })).to.deep.equal(['web']);
    });

    it('is ignored with neither, with a diagnostic saying why', () => {
      const result = selectIngresses([web(null)], [ingressClass('portico', ours)], defaultClassSettings);
      expect(result.selected).to.deep.equal([]);
      expect(result.diagnostics).to.have.length(1);
      expect(result.diagnostics[0]?.message).to.equal('ignored: it names no IngressClass and no IngressClass of this controller is the default');
    });

    it('needs the default-class annotation to be exactly "true"', () => {
      const almostDefault: IngressClass = {
        ...ingressClass('portico', ours),
        metadata: { ...ingressClass('portico', ours).metadata, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'True' } },
      };
      expect(selectedNames([web(null)], [almostDefault])).to.deep.equal([]);
    });
  });

  it('keeps the input order of the selected Ingresses', () => {
    const list = ['c', 'a', 'b'].map((name) => ingress(name, {}));
    expect(selectedNames(list, [])).to.deep.equal(['c', 'a', 'b']);
  });

  it('claims a class of another controller by name with claimIngressClass, and only that class', () => {
    const claim: ClassSettings = { ...defaultClassSettings, ingressClass: 'nginx', claimIngressClass: true };
    const classes = [ingressClass('nginx', theirs, true), ingressClass('other', theirs)];
    expect(selectedNames([web('nginx'), web('other')], classes, claim)).to.deep.equal(['web']);
    expect(selectedNames([web('nginx')], classes, { ...claim, claimIngressClass: false })).to.deep.equal([]);
    // A claimed class that is the cluster default brings the class-less Ingresses with it.
    expect(selectedNames([web(null)], classes, claim)).to.deep.equal(['web']);
  });
});
