/**
 * What every controller gatehouse installs has in common: how a Helm release is rolled out, and
 * how the data-plane pods spread so that a zone or node going away leaves the others serving.
 */
import { HELM_RELEASE_NAME_MAX } from "../core/naming";

/**
 * `helm_release` settings for a controller: roll back a failed upgrade instead of leaving a
 * half-applied controller behind, wait until it is ready, keep ten revisions.
 */
export const SAFE_RELEASE = { atomic: true, cleanupOnFail: true, wait: true, timeout: 600, maxHistory: 10 } as const;

/** A pod topology spread constraint, as the charts take it. */
export interface TopologySpread {
  labelSelector: { matchLabels: Record<string, string> };
  matchLabelKeys: string[];
  topologyKey: string;
  maxSkew: number;
  whenUnsatisfiable: "ScheduleAnyway" | "DoNotSchedule";
}

/** Spread the selected pods over zones, then nodes; best effort, so a small cluster still schedules. */
export function spreadOverZonesAndNodes(selector: Readonly<Record<string, string>>): TopologySpread[] {
  return ["topology.kubernetes.io/zone", "kubernetes.io/hostname"].map((topologyKey) => ({
    labelSelector: { matchLabels: { ...selector } },
    // Only pods of the same rollout count, so a rolling update does not skew the spread.
    matchLabelKeys: ["pod-template-hash"],
    topologyKey,
    maxSkew: 1,
    whenUnsatisfiable: "ScheduleAnyway",
  }));
}


/**
 * The name of a release that belongs to another (`<release>-objects`): the suffix is always
 * kept, the base cut to fit Helm's 53 characters, so the two never share a name.
 */
export function companionReleaseName(release: string, suffix: string): string {
  return `${release.slice(0, HELM_RELEASE_NAME_MAX - suffix.length - 1).replace(/-+$/, "")}-${suffix}`;
}
