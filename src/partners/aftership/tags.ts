// AfterShip's 9 delivery tags onto canonical milestones (docs/milestones.md, reference taxonomy); the subtag
// of an Exception says what went wrong (AfterShip "Delivery Sub-statuses": Exception_001 … Exception_021).
import type { ExceptionReason, MilestoneCode } from "../../domain/milestones";

export type TagMapping = { code: MilestoneCode; reason?: ExceptionReason } | { ignored: string } | { unknown: string };

const PROGRESS: Readonly<Record<string, MilestoneCode>> = {
  InfoReceived: "shipment.label_created",
  InTransit: "shipment.in_transit",
  OutForDelivery: "shipment.out_for_delivery",
  AttemptFail: "shipment.delivery_attempted",
  Delivered: "shipment.delivered",
  AvailableForPickup: "shipment.available_for_pickup",
};

// Exception subtags that name their cause. Unlisted ones (Exception_001 "Exception", 006 "Held for
// payment", 008 "Pick up missed", 009 "Rejected by carrier", and any added later) stay `other`.
const EXCEPTION_REASONS: Readonly<Record<string, ExceptionReason>> = {
  Exception_002: "address_issue", // customer moved
  Exception_003: "refused", // customer refused delivery
  Exception_004: "customs_hold", // delayed (customs clearance)
  Exception_005: "delayed", // delayed (external factors)
  Exception_007: "address_issue", // incorrect address
  Exception_012: "damaged", // shipment damage
  Exception_013: "lost", // shipment lost
  Exception_016: "delayed", // delayed (processing issue)
  Exception_017: "weather", // delayed (extreme weather)
  Exception_018: "customs_hold", // incorrect / missing documents (regulatory hold)
};
// Returning to sender (010) and returned to sender (011) are the returned_to_sender milestone, not a reason.
const RETURNED = new Set(["Exception_010", "Exception_011"]);

export function mapAfterShipTag(tag: string, subtag: string | null | undefined): TagMapping {
  const progress = PROGRESS[tag];
  if (progress) return { code: progress };
  switch (tag) {
    case "Pending":
      return { ignored: "AfterShip Pending: the carrier has said nothing about the parcel yet" };
    case "Exception":
      if (subtag && RETURNED.has(subtag)) return { code: "shipment.returned_to_sender" };
      return { code: "shipment.exception", reason: (subtag && EXCEPTION_REASONS[subtag]) || "other" };
    case "Expired":
      // No news for a long time: the parcel may be lost, somebody should look.
      return { code: "shipment.exception", reason: "other" };
    default:
      return { unknown: `unknown AfterShip tag "${tag}"` };
  }
}
