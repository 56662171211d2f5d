/** Names of the objects gatehouse makes for routes: after the route (its stable key), never a list position. */
import { shortHash } from "../core/naming";

const MAX_NAME = 63;

/** An object name from a route name: the name itself, or a prefix and a hash when too long. */
export function routeObjectName(name: string): string {
  if (name.length <= MAX_NAME) return name;
  const hash = shortHash(name, 8);
  return `${name.slice(0, MAX_NAME - hash.length - 2).replace(/-+$/, "")}--${hash}`;
}
