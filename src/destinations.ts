// Typed access to a destination's Durable Object (its gate): by name, e.g. "erp".
import type { DestinationDO } from "../durable-objects/destination";

export type { Handoff } from "../durable-objects/destination";

export type DestinationApi = Pick<DestinationDO, "acquire" | "release" | "status">;

export function destinationStub(env: Env, name: string): DestinationApi {
  return env.DESTINATIONS.getByName(name) as unknown as DestinationApi;
}
