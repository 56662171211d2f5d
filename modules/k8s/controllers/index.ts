/** The controller plug-ins gatehouse ships, by kind (modules/k8s/controllers/plugin.ts). */
import type { ControllerKind, ControllerPlugin } from "./plugin";
import { ingressNginxPlugin } from "./ingress-nginx";
import { nginxGatewayFabricPlugin } from "./nginx-gateway-fabric";
import { istioPlugin } from "./istio";

export const CONTROLLERS: Readonly<Partial<Record<ControllerKind, ControllerPlugin>>> = {
  "ingress-nginx": ingressNginxPlugin,
  "nginx-gateway-fabric": nginxGatewayFabricPlugin,
  istio: istioPlugin,
};

export function controllerPlugin(kind: ControllerKind): ControllerPlugin {
  const plugin = CONTROLLERS[kind];
  if (!plugin) throw new Error(`no controller plug-in for ${kind}`);
  return plugin;
}
