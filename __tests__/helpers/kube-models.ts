/**
 * Validation of rendered objects against the Kubernetes OpenAPI schemas (npm kubernetes-models).
 * Each test lists the kinds its charts may render: an object of any other kind fails rather than
 * going unchecked.
 */
import type { KubeObject } from "./helm";

interface Validating {
  validate(): void;
}

/** A kubernetes-models class: it knows its apiVersion and kind and validates an instance. */
export interface ModelClass<D> {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: D): Validating;
}

/** A function giving an object's problems against the schema of its kind; [] when valid. */
export function kubeValidator(models: ReadonlyArray<ModelClass<never>>): (o: KubeObject) => string[] {
  const byKind = new Map(models.map((M) => [`${M.apiVersion}/${M.kind}`, M] as const));
  return (o) => {
    const M = byKind.get(`${o.apiVersion}/${o.kind}`);
    const label = `${o.apiVersion}/${o.kind} ${o.metadata.name}`;
    if (!M) return [`${label}: no schema for this kind in the test's list; add its kubernetes-models class`];
    try {
      new M(o as never).validate();
      return [];
    } catch (e) {
      return [`${label}: ${e instanceof Error ? e.message : String(e)}`];
    }
  };
}
