/** The environment's routes on one cluster, attached the way its controller takes them. */
import type { ITerraformDependable } from "../core/cdktf";
import type { RoutesProps } from "../k8s/route-objects";
import { ROUTES_RELEASE_NAME, type ClusterPlan, type EnvPlan } from "../plan";

export function routesProps(plan: EnvPlan, cluster: ClusterPlan, dependsOn: readonly ITerraformDependable[]): RoutesProps {
  return {
    attachment: cluster.controller.identity.routes,
    routes: plan.routes,
    releaseName: ROUTES_RELEASE_NAME,
    namespace: cluster.controller.settings.namespace,
    dependsOn,
  };
}
