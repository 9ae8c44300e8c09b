// A StatefulSet that cannot create its pod. Admission judges the pod, which the StatefulSet
// controller makes after `create` has returned, so a ResourceQuota or LimitRange added later, a
// namespace moved to a stricter Pod Security level or a webhook refuses it then. StatefulSets have
// no condition for this: the controller only records a Warning Event `FailedCreate` on the
// StatefulSet, and retries with back-off. Pure: the events are read by the caller.
import type { CoreV1Event, V1Pod, V1StatefulSet } from '@kubernetes/client-node';

/** The controller's event reasons for a pod it could and could not create. */
export const CreateEventReasons = { failed: 'FailedCreate', created: 'SuccessfulCreate' } as const;

/** The field selector for the events about StatefulSets, with one VM's name when given. */
export function statefulSetEventSelector(name?: string): string {
  return `involvedObject.kind=StatefulSet${name === undefined ? '' : `,involvedObject.name=${name}`}`;
}

/** Only a VM that should have a pod and has none can be failing to create it: the events are read for those alone. */
export function mayFailCreate(sts: V1StatefulSet, pod: V1Pod | undefined): boolean {
  return pod === undefined && (sts.spec?.replicas ?? 1) > 0;
}

function millis(value: Date | string | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/** When the event last happened: a repeated legacy event keeps its lastTimestamp current, an events.k8s.io one its series. */
function lastSeen(event: CoreV1Event): number {
  return (
    millis(event.series?.lastObservedTime) ?? millis(event.lastTimestamp) ?? millis(event.eventTime) ?? millis(event.firstTimestamp) ?? millis(event.metadata?.creationTimestamp) ?? 0
  );
}

/**
 * Whether the controller has acted on the StatefulSet's current spec. A start or stop (a change of
 * replicas) raises metadata.generation; the controller writes status.observedGeneration after its
 * attempt to create the pod, so until then any FailedCreate is from before.
 */
export function controllerCaughtUp(sts: V1StatefulSet): boolean {
  return (sts.status?.observedGeneration ?? 0) >= (sts.metadata?.generation ?? 0);
}

/**
 * The controller's own words cut to the reason: `create Pod web-0 in StatefulSet web failed error:
 * pods "web-0" is forbidden: exceeded quota: q, …` becomes `exceeded quota: q, …`.
 */
export function shortRefusal(message: string): string {
  return message
    .trim()
    .replace(/^create Pod \S+ in StatefulSet \S+ failed error: /i, '')
    .replace(/^pods "[^"]*" is forbidden: /, '');
}

/**
 * Why the StatefulSet cannot create its pod now, or undefined. A FailedCreate counts only when the
 * controller has caught up with the current spec (so a refusal from before `stop` does not greet
 * the next `start`: once caught up, its new attempt has either made the pod or failed anew), and
 * when it is not older than the last SuccessfulCreate (the pod was made since: an old refusal,
 * fixed; the same second counts as newer, as event times have whole seconds). Events of an earlier
 * StatefulSet of the same name (purged, created again) are told apart by uid. Not the time of the
 * last scale from managedFields: the API server does not restamp an entry whose manager already
 * owned spec.replicas, as the plugin's own does from create on.
 */
export function createFailure(sts: V1StatefulSet, events: CoreV1Event[]): string | undefined {
  if (!controllerCaughtUp(sts)) return undefined;
  const uid = sts.metadata?.uid;
  let failed: CoreV1Event | undefined;
  let created = 0;
  for (const event of events) {
    const about = event.involvedObject;
    if (about?.kind !== 'StatefulSet' || about.name !== sts.metadata?.name || about.namespace !== sts.metadata?.namespace) continue;
    if (uid !== undefined && about.uid !== undefined && about.uid !== uid) continue;
    if (event.reason === CreateEventReasons.created) created = Math.max(created, lastSeen(event));
    if (event.reason === CreateEventReasons.failed && (failed === undefined || lastSeen(event) >= lastSeen(failed))) failed = event;
  }
  if (!failed || lastSeen(failed) < created) return undefined;
  return shortRefusal(failed.message ?? '') || CreateEventReasons.failed;
}

/** Where to look when the cluster refuses a VM's pod; create's dry run and --wait both say it. */
export function refusalHint(namespace: string): string {
  return `see what the namespace enforces: kubectl get resourcequota,limitrange -n ${namespace}; kubectl get namespace ${namespace} --show-labels`;
}
