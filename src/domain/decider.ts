// The decider: given the order's whole event set and what it already told the ERP, the new state and
// the ERP commands to emit now. Pure; the OrderDO persists its result in one transaction.
import { desiredCommands, type ErpCommand, newCommands } from "./commands";
import type { CanonicalEvent } from "./event";
import { fold, type OrderState } from "./state";

export interface Decision {
  state: OrderState;
  /** Commands never emitted before, numbered after `lastSeq` in the order the ERP must see them. */
  commands: ErpCommand[];
}

export function decide(orderId: string, events: readonly CanonicalEvent[], emitted: ReadonlySet<string>, lastSeq: number): Decision {
  const state = fold(orderId, events);
  return { state, commands: newCommands(orderId, desiredCommands(state), emitted, lastSeq) };
}
