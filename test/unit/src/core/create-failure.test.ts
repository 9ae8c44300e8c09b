import assert from 'node:assert/strict';
import type { CoreV1Event, V1StatefulSet } from '@kubernetes/client-node';
import { controllerCaughtUp, createFailure, mayFailCreate, shortRefusal, statefulSetEventSelector } from '../../../../src/core/create-failure.js';

const QUOTA = 'create Pod web-0 in StatefulSet web failed error: pods "web-0" is forbidden: exceeded quota: no-pods, requested: pods=1, used: pods=0, limited: pods=0';

/** A VM's StatefulSet at generation 3; `observed` is the generation the controller last acted on. */
function sts(options: { replicas?: number; observed?: number; uid?: string } = {}): V1StatefulSet {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: options.uid ?? 'uid-1', generation: 3, creationTimestamp: new Date('2026-12-06T10:00:00Z') },
    spec: { replicas: options.replicas ?? 1, selector: {}, serviceName: 'web', template: {} },
    status: { replicas: 0, observedGeneration: options.observed ?? 3 },
  };
}

function event(reason: string, at: string, extra: { message?: string; uid?: string; name?: string; series?: string } = {}): CoreV1Event {
  return {
    metadata: { name: `web.${reason}.${at}`, namespace: 'ns' },
    involvedObject: { kind: 'StatefulSet', name: extra.name ?? 'web', namespace: 'ns', uid: extra.uid ?? 'uid-1' },
    reason,
    type: reason === 'FailedCreate' ? 'Warning' : 'Normal',
    message: extra.message ?? (reason === 'FailedCreate' ? QUOTA : 'create Pod web-0 in StatefulSet web successful'),
    lastTimestamp: new Date(at),
    ...(extra.series ? { series: { count: 3, lastObservedTime: new Date(extra.series) } } : {}),
  };
}

describe('createFailure (a StatefulSet that cannot create its pod)', () => {
  it('a FailedCreate since the last start is the reason, in short', () => {
    assert.equal(createFailure(sts(), [event('FailedCreate', '2026-12-06T10:00:01Z')]), 'exceeded quota: no-pods, requested: pods=1, used: pods=0, limited: pods=0');
  });

  it('none when there is no FailedCreate', () => {
    assert.equal(createFailure(sts(), [event('SuccessfulCreate', '2026-12-06T10:00:01Z')]), undefined);
    assert.equal(createFailure(sts(), []), undefined);
  });

  it('a refusal the pod was made after (fixed) is old news; one after the last pod counts', () => {
    assert.equal(createFailure(sts(), [event('FailedCreate', '2026-12-06T10:00:01Z'), event('SuccessfulCreate', '2026-12-06T10:05:00Z')]), undefined);
    assert.equal(createFailure(sts(), [event('SuccessfulCreate', '2026-12-06T10:05:00Z'), event('FailedCreate', '2026-12-06T10:06:00Z')]), shortRefusal(QUOTA));
  });

  it('a refusal from before the last stop/start does not greet the next start until the controller has tried again', () => {
    const refused = [event('FailedCreate', '2026-12-06T10:30:00Z')];
    assert.equal(createFailure(sts({ observed: 2 }), refused), undefined, 'the controller has not acted on the start yet');
    assert.equal(createFailure(sts({ observed: 3 }), refused), shortRefusal(QUOTA), 'it has, and made no pod: the refusal stands');
  });

  it('a repeated event counts from its last occurrence (lastTimestamp, or the series of an events.k8s.io event)', () => {
    const created = event('SuccessfulCreate', '2026-12-06T11:00:00Z');
    const repeated = { ...event('FailedCreate', '2026-12-06T10:30:00Z'), lastTimestamp: new Date('2026-12-06T11:00:05Z') };
    assert.equal(createFailure(sts(), [created, repeated]), shortRefusal(QUOTA));
    const seriesOnly: CoreV1Event = { ...event('FailedCreate', '2026-12-06T10:30:00Z', { series: '2026-12-06T11:00:05Z' }), lastTimestamp: undefined, eventTime: new Date('2026-12-06T10:30:00Z') };
    assert.equal(createFailure(sts(), [created, seriesOnly]), shortRefusal(QUOTA));
  });

  it('the newest of several refusals wins', () => {
    const limit = 'create Pod web-0 in StatefulSet web failed error: pods "web-0" is forbidden: maximum memory usage per Container is 64Mi, but limit is 256Mi';
    assert.equal(
      createFailure(sts(), [event('FailedCreate', '2026-12-06T10:00:01Z'), event('FailedCreate', '2026-12-06T10:02:00Z', { message: limit })]),
      'maximum memory usage per Container is 64Mi, but limit is 256Mi',
    );
  });

  it('events of another StatefulSet, or of an earlier one of the same name (purged, created again), do not count', () => {
    assert.equal(createFailure(sts(), [event('FailedCreate', '2026-12-06T10:00:01Z', { name: 'db' })]), undefined);
    assert.equal(createFailure(sts({ uid: 'uid-2' }), [event('FailedCreate', '2026-12-06T10:00:01Z')]), undefined);
  });

  it('a refusal without a message still says FailedCreate', () => {
    assert.equal(createFailure(sts(), [event('FailedCreate', '2026-12-06T10:00:01Z', { message: '' })]), 'FailedCreate');
  });
});

describe('controllerCaughtUp, shortRefusal, mayFailCreate', () => {
  it('controllerCaughtUp: the controller has acted on the current generation; a new StatefulSet has not', () => {
    assert.equal(controllerCaughtUp(sts({ observed: 3 })), true);
    assert.equal(controllerCaughtUp(sts({ observed: 2 })), false);
    assert.equal(controllerCaughtUp({ metadata: { generation: 1 } }), false);
  });

  it('shortRefusal keeps what admission said, without the controller\'s preamble', () => {
    assert.equal(shortRefusal(QUOTA.replace('create', 'Create')), 'exceeded quota: no-pods, requested: pods=1, used: pods=0, limited: pods=0', 'as Kubernetes 1.37 words it');
    assert.equal(shortRefusal(QUOTA), 'exceeded quota: no-pods, requested: pods=1, used: pods=0, limited: pods=0');
    const psa = 'create Pod web-0 in StatefulSet web failed error: pods "web-0" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true';
    assert.equal(shortRefusal(psa), 'violates PodSecurity "restricted:latest": runAsNonRoot != true');
    assert.equal(shortRefusal('create Pod web-0 in StatefulSet web failed error: Internal error occurred: failed calling webhook "x"'), 'Internal error occurred: failed calling webhook "x"');
    assert.equal(shortRefusal('something else entirely'), 'something else entirely');
  });

  it('mayFailCreate: only a VM that should have a pod and has none', () => {
    assert.equal(mayFailCreate(sts(), undefined), true);
    assert.equal(mayFailCreate(sts({ replicas: 0 }), undefined), false);
    assert.equal(mayFailCreate(sts(), { metadata: { name: 'web-0' } }), false);
  });

  it('the field selector names StatefulSets, and one of them when asked', () => {
    assert.equal(statefulSetEventSelector(), 'involvedObject.kind=StatefulSet');
    assert.equal(statefulSetEventSelector('web'), 'involvedObject.kind=StatefulSet,involvedObject.name=web');
  });
});
