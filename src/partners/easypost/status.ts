// EasyPost's 10 tracker statuses onto canonical milestones (docs/milestones.md, reference taxonomy).
// A `failure` or `error` scan's reason is refined from its status_detail where EasyPost names the cause.
import type { ExceptionReason, MilestoneCode } from "../../domain/milestones";

export type StatusMapping = { code: MilestoneCode; reason?: ExceptionReason } | { ignored: string } | { unknown: string };

const PROGRESS: Readonly<Record<string, MilestoneCode>> = {
  pre_transit: "shipment.label_created",
  in_transit: "shipment.in_transit",
  out_for_delivery: "shipment.out_for_delivery",
  delivered: "shipment.delivered",
  available_for_pickup: "shipment.available_for_pickup",
  return_to_sender: "shipment.returned_to_sender",
};

// status_detail values that say why a failure happened; anything else stays `other` (someone must look).
const FAILURE_REASONS: Readonly<Record<string, ExceptionReason>> = {
  address_correction: "address_issue",
  damaged: "damaged",
  delayed: "delayed",
  lost: "lost",
  refused: "refused",
  weather_delay: "weather",
};

export function mapEasyPostStatus(status: string, statusDetail: string | null | undefined): StatusMapping {
  const progress = PROGRESS[status];
  if (progress) return { code: progress };
  switch (status) {
    case "unknown":
      return { ignored: "EasyPost status unknown: the carrier has said nothing about the parcel yet" };
    case "failure":
    case "error":
      return { code: "shipment.exception", reason: (statusDetail && FAILURE_REASONS[statusDetail]) || "other" };
    case "cancelled":
      // The label was voided; if the parcel had been handed over someone must reconcile it.
      return { code: "shipment.exception", reason: "other" };
    default:
      return { unknown: `unknown EasyPost tracker status "${status}"` };
  }
}
