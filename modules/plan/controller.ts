/**
 * The controller and the port contract of an environment: the plug-in with its settings (each
 * default from the plug-in), the contract of each cluster built from the environment's ports and
 * the controller's identity, and the controller's own checks on them.
 */
import * as rules from "../core/rules";
import type { FieldProblem } from "../core/errors";
import type { ControllerIdentity, ControllerPlugin, ControllerProps, ControllerSettings, Exposure } from "../k8s/controllers/plugin";
import { controllerBaseProblems } from "../k8s/controllers/plugin";
import { controllerPlugin } from "../k8s/controllers";
import { gatewayApiCrdsProblems } from "../k8s/gateway-api";
import { buildContract, type ContractInput, type PortContract } from "../model/contract";
import type { Env } from "../model/env";
import { atEnvFields } from "./paths";

export interface ControllerPlan {
  readonly plugin: ControllerPlugin;
  readonly settings: ControllerSettings;
  readonly identity: ControllerIdentity;
}

/** One Kubernetes cluster behind a load balancer. */
export interface ClusterPlan {
  /** The cluster's name (EKS or GKE). */
  readonly name: string;
  /** The stack holding the controller. */
  readonly stack: string;
  readonly contract: PortContract;
  readonly exposure: Exposure;
  readonly controller: ControllerPlan;
}

/** The environment's controller settings, each default from the plug-in. */
export function controllerPlan(env: Env): ControllerPlan {
  const plugin = controllerPlugin(env.controller.kind);
  const c = env.controller;
  const settings: ControllerSettings = {
    releaseName: c.releaseName ?? plugin.defaults.releaseName,
    namespace: c.namespace ?? plugin.defaults.namespace,
    chartVersion: c.chartVersion,
    replicas: c.replicas,
    resources: c.resources,
    config: c.config,
  };
  return { plugin, settings, identity: plugin.identity(settings, env.ports.https.tls) };
}

/** What the environment says of its controller that no construct sees: the chart version it asks for. */
export function controllerEnvProblems(env: Env, controller: ControllerPlan): FieldProblem[] {
  const c = env.controller;
  // The version must be the one gatehouse renders and tests for this kind, unless opted out.
  if (c.chartVersion !== undefined) {
    const m = rules.testedChartVersion(c.chartVersion, c.kind, controller.plugin.chart.version, c.allowUntestedChartVersion === true);
    return m ? [{ path: "controller.chartVersion", value: c.chartVersion, message: m }] : [];
  }
  if (c.allowUntestedChartVersion !== undefined)
    return [{ path: "controller.allowUntestedChartVersion", value: c.allowUntestedChartVersion, message: "has no effect without controller.chartVersion (the tested version is installed); remove it" }];
  return [];
}

/** The NodePort Service gatehouse makes for a service entry. */
export function serviceEntryName(entry: string): string {
  return `${entry}-nodeport`;
}

/** The contract input of one cluster: the env's ports, the controller's identity. */
export function contractInputFor(env: Env, cluster: string, controller: ControllerPlan): ContractInput {
  const id = controller.identity;
  const p = env.ports;
  return {
    env: env.name,
    cluster,
    namespace: controller.settings.namespace,
    serviceName: id.serviceName,
    podSelector: id.podSelector,
    http: p.http,
    https: p.https,
    tcp: Object.fromEntries(Object.entries(p.tcp).map(([name, t]) => [name, { listenerPort: t.listenerPort, nodePort: t.nodePort, backend: t.backend, tls: t.tls, idleTimeout: t.idleTimeout, connectionTermination: t.connectionTermination }])),
    services: Object.fromEntries(
      Object.entries(p.services).map(([name, s]) => [
        name,
        { listenerPort: s.listenerPort, nodePort: s.nodePort, namespace: s.namespace, serviceName: serviceEntryName(name), selector: s.selector, existingService: s.existingService, targetPort: s.targetPort, healthCheck: s.healthCheck },
      ]),
    ),
    health: { nodePort: p.health.nodePort, path: p.health.path ?? id.health.path, podPort: id.health.podPort, serviceName: id.healthServiceName },
    nodePortRange: p.nodePortRange,
    proxyProtocol: p.proxyProtocol,
    containerPorts: id.containerPorts,
    reservedPodPorts: id.reservedPodPorts,
  };
}

/** One cluster's plan. */
export function clusterPlan(env: Env, name: string, stack: string, exposure: Exposure, controller: ControllerPlan): ClusterPlan {
  return { name, stack, contract: buildContract(contractInputFor(env, name, controller)), exposure, controller };
}

/**
 * The controller's own checks of the props a cluster's controller will get: those every
 * controller shares and the plug-in's. Run once per way of exposing it (AWS NodePorts, GKE NEGs),
 * on the first cluster: the clusters of one environment differ only in names.
 */
export function controllerProblems(cluster: ClusterPlan, extra: Pick<ControllerProps, "loadBalancerAddresses"> = {}): FieldProblem[] {
  const props: ControllerProps = { contract: cluster.contract, exposure: cluster.exposure, settings: cluster.controller.settings, ...extra };
  return [...controllerBaseProblems(props), ...cluster.controller.plugin.problems(props)];
}

/** The Gateway API CRDs' settings of a cluster stack (every cluster of the environment shares them), at their environment fields. */
export function gatewayApiCrdsEnvProblems(env: Env): FieldProblem[] {
  return atEnvFields(
    "the Gateway API CRDs",
    [
      ["source", "controller.gatewayApiCrds"],
      ["channel", "controller.gatewayApiChannel"],
    ],
    gatewayApiCrdsProblems({ source: env.controller.gatewayApiCrds, channel: env.controller.gatewayApiChannel }),
  );
}
