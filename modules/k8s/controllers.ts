/** The controller plug-ins gatehouse ships, by kind (modules/k8s/controller.ts). */
import type { ControllerKind, ControllerPlugin } from "./controller";
import { ingressNginxPlugin } from "./ingress-nginx";

export const CONTROLLERS: Readonly<Partial<Record<ControllerKind, ControllerPlugin>>> = {
  "ingress-nginx": ingressNginxPlugin,
};

export function controllerPlugin(kind: ControllerKind): ControllerPlugin {
  const plugin = CONTROLLERS[kind];
  if (!plugin) throw new Error(`no controller plug-in for ${kind}`);
  return plugin;
}
