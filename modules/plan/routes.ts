/**
 * The environment's routes on a cluster's controller: the Routes construct's props, and its
 * check run on them once the route data itself passed the route rules (modules/model/routes.ts),
 * so a rule of both stages is reported once.
 */
import type { FieldProblem } from "../core/errors";
import { routesProblems, type RoutesProps } from "../k8s/route-objects";
import type { Env } from "../model/env";
import { parseRoutes, routeProblems } from "../model/routes";
import type { ClusterPlan } from "./controller";
import { atEnvFields } from "./paths";

/** The release gatehouse's routes are applied with, in the controller's namespace. */
export const ROUTES_RELEASE_NAME = "gatehouse-routes";

/** The route data's own problems (every cluster of the environment shares them). */
export function envRouteProblems(env: Env, cluster: Pick<ClusterPlan, "controller">): FieldProblem[] {
  const { identity, plugin } = cluster.controller;
  // With a gcp section, every route host must be one of the hostnames Google's certificate holds.
  return routeProblems(env.routes, {
    hostnames: env.gcp ? (env.hostnames ?? []) : undefined,
    features: identity.routeFeatures,
    controller: plugin.kind,
    gatewayApiChannel: env.controller.gatewayApiChannel,
  });
}

/** The Routes props of one cluster, or none when the environment has no routes (or they are wrong: reported by envRouteProblems). */
export function routesPlan(env: Env, cluster: ClusterPlan, problems: FieldProblem[]): Omit<RoutesProps, "dependsOn"> | undefined {
  if (Object.keys(env.routes).length === 0 || envRouteProblems(env, cluster).length) return undefined;
  const props = {
    attachment: cluster.controller.identity.routes,
    routes: parseRoutes(env.routes),
    releaseName: ROUTES_RELEASE_NAME,
    namespace: cluster.controller.settings.namespace,
    gatewayApiChannel: env.controller.gatewayApiChannel,
  };
  problems.push(
    ...atEnvFields(
      "the routes",
      [
        ["routes", "routes"],
        ["releaseName", "controller.namespace"],
        ["namespace", "controller.namespace"],
        ["gatewayApiChannel", "controller.gatewayApiChannel"],
      ],
      routesProblems(props),
    ),
  );
  return props;
}
