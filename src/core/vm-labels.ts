// The labels that mark an object as part of a VM, and the selectors that find them again.
import { LabelValues, Labels } from '../../shared/contract.js';

/** Labels on every object of VM `vm`: StatefulSet, pod template, Secret and disk PVC. */
export function vmLabels(vm: string): Record<string, string> {
  return {
    [Labels.managedBy]: LabelValues.managedBy,
    [Labels.component]: LabelValues.componentVm,
    [Labels.vm]: vm,
  };
}

/** The StatefulSet's selector: immutable, so it holds only what never changes. */
export function vmSelectorLabels(vm: string): Record<string, string> {
  return { [Labels.component]: LabelValues.componentVm, [Labels.vm]: vm };
}

/** Selects every VM object kubectl berth made, optionally narrowed by a user selector. */
export function allVmsSelector(extra?: string): string {
  const base = `${Labels.managedBy}=${LabelValues.managedBy},${Labels.component}=${LabelValues.componentVm}`;
  return extra ? `${base},${extra}` : base;
}

/** True when an object's labels say kubectl berth made it for a VM. */
export function isBerthVm(labels: Record<string, string> | undefined): boolean {
  return labels?.[Labels.managedBy] === LabelValues.managedBy && labels?.[Labels.component] === LabelValues.componentVm && Boolean(labels?.[Labels.vm]);
}
