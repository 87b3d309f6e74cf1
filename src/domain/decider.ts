// The decider: given the order's whole event set and the commands it already emitted, the new state and
// the ERP commands to emit now. Pure; the OrderDO persists its result in one transaction.
//
//   decide(orderId, events, emitted, lastSeq) → { state, commands }
//   events   every distinct event of the order (any order; duplicates are ignored)
//   emitted  every command the order emitted before, as stored: key, type, payload. The keys are never
//            emitted again; the shipment confirmations' keys and payloads bind the shipment names the
//            ERP has heard, and the confirmed shipments are never taken back by the line check.
//   lastSeq  the highest sequence number emitted so far (0 for none)
//   commands the new commands, numbered lastSeq+1…, in the order the ERP must see them; keys distinct
//            from each other and from `emitted`. Persist each (key, type, payload, seq) and pass them
//            back in `emitted` next time.
import { desiredCommands, type EmittedCommand, type ErpCommand, newCommands, shipmentPins } from "./commands";
import type { CanonicalEvent } from "./event";
import { fold, type OrderState } from "./state";

export interface Decision {
  state: OrderState;
  /** Commands never emitted before, numbered after `lastSeq` in the order the ERP must see them. */
  commands: ErpCommand[];
}

export function decide(orderId: string, events: readonly CanonicalEvent[], emitted: readonly EmittedCommand[], lastSeq: number): Decision {
  const state = fold(orderId, events, shipmentPins(emitted));
  return { state, commands: newCommands(orderId, desiredCommands(state), emitted, lastSeq) };
}
