// Each partner's payload in that vendor's own shape, as the fixtures in src/partners/<adapter>/fixtures show
// it: acme-3pl's canonical milestone, a UPS Track Alert message, an EasyPost tracker Event, an AfterShip
// tracking_update, Shopify fulfillments/create and refunds/create bodies. The X12 945 is in x12.ts.
import type { Carrier, Line, PlannedOrder, PlannedShipment, Scan, ScanKind } from "./plan";
import { local, type Place, utc } from "./places";
import { alnum, digest, digits } from "./random";

// ─── acme-3pl: our canonical format ─────────────────────────────────────────────────────────────────────

export interface Milestone {
  eventId: string;
  orderId: string;
  code: string;
  occurredAt: number;
  shipmentId?: string;
  carrier?: string;
  trackingNumber?: string;
  lines?: Line[];
  location?: Place;
  returnId?: string;
  description?: string;
}

export function acmeMilestone(m: Milestone): string {
  const data = {
    eventId: m.eventId,
    orderId: m.orderId,
    code: m.code,
    occurredAt: utc(m.occurredAt),
    ...(m.shipmentId ? { shipmentId: m.shipmentId } : {}),
    ...(m.carrier ? { carrier: m.carrier } : {}),
    ...(m.trackingNumber ? { trackingNumber: m.trackingNumber } : {}),
    ...(m.lines ? { lines: m.lines } : {}),
    ...(m.location ? { location: { city: m.location.city, region: m.location.state, postalCode: m.location.zip, country: "US" } } : {}),
    ...(m.returnId ? { returnId: m.returnId } : {}),
    ...(m.description ? { description: m.description } : {}),
  };
  return JSON.stringify({ type: "milestone", data });
}

// ─── UPS Track Alert: one activity per message ─────────────────────────────────────────────────────────

const UPS_STATUS: Readonly<Record<ScanKind, { type: string; code: string; description: string; descriptionCode: string }>> = {
  label: { type: "M", code: "MP", description: "Shipment Ready for UPS", descriptionCode: "003" },
  pickup: { type: "I", code: "OR", description: "Origin Scan", descriptionCode: "005" },
  hub_arrival: { type: "I", code: "AR", description: "Arrived at Facility", descriptionCode: "005" },
  hub_departure: { type: "I", code: "DP", description: "Departed from Facility", descriptionCode: "005" },
  destination: { type: "I", code: "YP", description: "Preparing for Delivery", descriptionCode: "071" },
  out_for_delivery: { type: "I", code: "OT", description: "Out for Delivery", descriptionCode: "021" },
  attempted: {
    type: "X",
    code: "48",
    description: "The receiver was not available for delivery. We'll make a second attempt the next business day.",
    descriptionCode: "048",
  },
  delivered: { type: "D", code: "FS", description: "Delivered", descriptionCode: "011" },
  address_exception: { type: "X", code: "1P", description: "The street address is incorrect. UPS is working to correct it.", descriptionCode: "082" },
  damaged: { type: "X", code: "2Q", description: "The package was damaged and the contents are being evaluated.", descriptionCode: "094" },
  returning: { type: "X", code: "RS", description: "At the sender's request, the package is being returned to the sender.", descriptionCode: "117" },
};

export function upsTrackAlert(trackingNumber: string, scan: Scan, deliveryDay: string | undefined): string {
  const status = UPS_STATUS[scan.kind];
  const at = local(scan.at, scan.place.offset);
  const gmt = local(scan.at, 0);
  const delivered = scan.kind === "delivered";
  // Key order and the "" for fields that do not apply are UPS's (see the Track Alert fixtures).
  return JSON.stringify(
    {
      trackingNumber,
      localActivityDate: at.date,
      localActivityTime: at.time,
      activityLocation:
        scan.kind === "label"
          ? { city: "", stateProvince: "", postalCode: "", country: "US" }
          : { city: scan.place.city.toUpperCase(), stateProvince: scan.place.state, postalCode: scan.place.zip, country: "US" },
      activityStatus: status,
      scheduledDeliveryDate: delivered || !deliveryDay ? "" : deliveryDay,
      actualDeliveryDate: delivered ? at.date : "",
      actualDeliveryTime: delivered ? at.time : "",
      gmtActivityDate: gmt.date,
      gmtActivityTime: gmt.time,
      deliveryStartTime: "",
      deliveryEndTime: "",
      deliveryTimeDescription: scan.kind === "out_for_delivery" ? "end of day" : "",
    },
    null,
    2,
  );
}

// ─── EasyPost: a tracker Event carrying the parcel's whole history ─────────────────────────────────────

type EasyPostScan = { status: string; status_detail: string; carrier_code: string; message: string };
const FEDEX: Readonly<Record<ScanKind, EasyPostScan>> = {
  label: { status: "pre_transit", status_detail: "label_created", carrier_code: "OC", message: "Shipment information sent to FedEx" },
  pickup: { status: "in_transit", status_detail: "arrived_at_facility", carrier_code: "PU", message: "Picked up" },
  hub_arrival: { status: "in_transit", status_detail: "arrived_at_facility", carrier_code: "AR", message: "Arrived at FedEx hub" },
  hub_departure: { status: "in_transit", status_detail: "departed_facility", carrier_code: "DP", message: "Departed FedEx hub" },
  destination: { status: "in_transit", status_detail: "arrived_at_destination", carrier_code: "AR", message: "At local FedEx facility" },
  out_for_delivery: { status: "out_for_delivery", status_detail: "out_for_delivery", carrier_code: "OD", message: "On FedEx vehicle for delivery" },
  attempted: { status: "failure", status_detail: "delivery_exception", carrier_code: "DE", message: "Customer not available or business closed" },
  delivered: { status: "delivered", status_detail: "arrived_at_destination", carrier_code: "DL", message: "Delivered" },
  address_exception: { status: "failure", status_detail: "address_correction", carrier_code: "DE", message: "Incorrect address" },
  damaged: { status: "failure", status_detail: "damaged", carrier_code: "DE", message: "Package damaged in transit" },
  returning: { status: "return_to_sender", status_detail: "return", carrier_code: "RS", message: "Returning package to shipper" },
};

/**
 * A status EasyPost does not document (its statuses: unknown, pre_transit, in_transit, out_for_delivery,
 * delivered, available_for_pickup, return_to_sender, failure, cancelled, error). Authentic, signed, and not
 * mappable: dockline quarantines the whole update rather than guess.
 */
export const UNDOCUMENTED_EASYPOST_SCAN: EasyPostScan = {
  status: "delayed",
  status_detail: "weather_delay",
  carrier_code: "SE",
  message: "Delay due to weather or natural disaster",
};

function easypostDetail(scan: Scan, s: EasyPostScan) {
  return {
    object: "TrackingDetail",
    message: s.message,
    description: s.message,
    status: s.status,
    status_detail: s.status_detail,
    datetime: utc(scan.at),
    source: "FedEx",
    carrier_code: s.carrier_code,
    tracking_location: {
      object: "TrackingLocation",
      city: scan.kind === "label" ? null : scan.place.city.toUpperCase(),
      state: scan.kind === "label" ? null : scan.place.state,
      country: "US",
      zip: scan.place.zip,
    },
  };
}

export function easypostEvent(o: {
  trackingNumber: string;
  history: readonly Scan[];
  /** When EasyPost sends the event. */
  sentAt: number;
  estDelivery?: number;
  /** An undocumented scan appended after the history (the quarantine case). */
  extra?: { scan: Scan; as: EasyPostScan };
}): string {
  const details = o.history.map((s) => easypostDetail(s, FEDEX[s.kind]));
  if (o.extra) details.push(easypostDetail(o.extra.scan, o.extra.as));
  const last = details.at(-1);
  const previous = details.at(-2);
  const first = o.history[0];
  const created = !previous && !o.extra;
  const trackerId = `trk_${digest("easypost-tracker", o.trackingNumber).slice(0, 32)}`;
  const finished = last?.status === "delivered" || last?.status === "return_to_sender";
  const tracker = {
    id: trackerId,
    object: "Tracker",
    mode: "production",
    tracking_code: o.trackingNumber,
    status: last?.status ?? "unknown",
    status_detail: last?.status_detail ?? "unknown",
    created_at: utc(first?.at ?? o.sentAt),
    updated_at: utc(o.sentAt),
    signed_by: last?.status === "delivered" ? "SIGNATURE NOT REQUIRED" : null,
    weight: 36.8,
    est_delivery_date: o.estDelivery && !finished ? utc(o.estDelivery) : null,
    shipment_id: null,
    carrier: "FedEx",
    tracking_details: details,
    carrier_detail: {
      object: "CarrierDetail",
      service: "FEDEX_GROUND",
      container_type: null,
      est_delivery_date_local: o.estDelivery ? local(o.estDelivery, -6).day : null,
      est_delivery_time_local: null,
      origin_location: first ? `${first.place.city.toUpperCase()} ${first.place.state} US` : null,
      destination_location: null,
      guaranteed_delivery_date: null,
      alternate_identifier: null,
      initial_delivery_attempt: null,
    },
    finalized: finished,
    is_return: false,
    public_url: `https://track.easypost.com/${digest("easypost-public", o.trackingNumber).slice(0, 40)}`,
  };
  const eventId = `evt_${digest("easypost-event", o.trackingNumber, details.length, o.sentAt, o.extra ? "extra" : "").slice(0, 32)}`;
  return JSON.stringify({
    description: created ? "tracker.created" : "tracker.updated",
    mode: "production",
    previous_attributes: previous ? { status: previous.status } : {},
    created_at: utc(o.sentAt),
    pending_urls: ["https://dockline.example.com/v1/webhooks/easypost"],
    completed_urls: [],
    updated_at: utc(o.sentAt),
    id: eventId,
    user_id: "user_8e1d6ad2b0d94d0a9c2e4d1f5b6a7c80",
    status: "pending",
    object: "Event",
    result: tracker,
  });
}

// ─── AfterShip: tracking_update with every checkpoint so far ──────────────────────────────────────────

type Checkpoint = { tag: string; subtag: string; subtag_message: string; raw_tag: string; message: string };
const USPS: Readonly<Record<ScanKind, Checkpoint>> = {
  label: {
    tag: "InfoReceived",
    subtag: "InfoReceived_001",
    subtag_message: "Info Received",
    raw_tag: "GX",
    message: "Shipping Label Created, USPS Awaiting Item",
  },
  pickup: { tag: "InTransit", subtag: "InTransit_002", subtag_message: "Acceptance scan", raw_tag: "OA", message: "USPS in possession of item" },
  hub_arrival: { tag: "InTransit", subtag: "InTransit_003", subtag_message: "Arrival scan", raw_tag: "10", message: "Arrived at USPS Regional Facility" },
  hub_departure: { tag: "InTransit", subtag: "InTransit_007", subtag_message: "Departure Scan", raw_tag: "EF", message: "Departed USPS Regional Facility" },
  destination: { tag: "InTransit", subtag: "InTransit_003", subtag_message: "Arrival scan", raw_tag: "07", message: "Arrived at Post Office" },
  out_for_delivery: { tag: "OutForDelivery", subtag: "OutForDelivery_001", subtag_message: "Out for Delivery", raw_tag: "OF", message: "Out for Delivery" },
  attempted: {
    tag: "AttemptFail",
    subtag: "AttemptFail_001",
    subtag_message: "Failed Attempt",
    raw_tag: "53",
    message: "Notice Left (No Authorized Recipient Available)",
  },
  delivered: { tag: "Delivered", subtag: "Delivered_001", subtag_message: "Delivered", raw_tag: "01", message: "Delivered, In/At Mailbox" },
  address_exception: {
    tag: "Exception",
    subtag: "Exception_007",
    subtag_message: "Incorrect address",
    raw_tag: "04",
    message: "Addressee Unknown",
  },
  damaged: { tag: "Exception", subtag: "Exception_012", subtag_message: "Damaged", raw_tag: "46", message: "Damaged Item" },
  returning: { tag: "Exception", subtag: "Exception_011", subtag_message: "Returned to sender", raw_tag: "09", message: "Return to Sender" },
};

export function aftershipUpdate(o: { trackingNumber: string; orderId: string; history: readonly Scan[]; sentAt: number; estDelivery?: number }): string {
  const checkpoints = o.history.map((s) => {
    const c = USPS[s.kind];
    const label = s.kind === "label";
    return {
      slug: "usps",
      city: label ? null : s.place.city.toUpperCase(),
      created_at: local(s.at + 4 * 60_000, 0).iso,
      location: label ? null : `${s.place.city.toUpperCase()}, ${s.place.state} ${s.place.zip}`,
      country_name: label ? null : "USA",
      message: c.message,
      country_iso3: label ? null : "USA",
      tag: c.tag,
      subtag: c.subtag,
      subtag_message: c.subtag_message,
      checkpoint_time: local(s.at, s.place.offset).iso,
      coordinates: [],
      state: label ? null : s.place.state,
      zip: label ? null : s.place.zip,
      raw_tag: c.raw_tag,
    };
  });
  const last = checkpoints.at(-1);
  const previous = checkpoints.at(-2);
  const first = o.history[0];
  const msg = {
    id: digest("aftership-tracking", o.trackingNumber).slice(0, 24),
    created_at: local(first?.at ?? o.sentAt, 0).iso,
    updated_at: local(o.sentAt, 0).iso,
    last_updated_at: local(o.sentAt, 0).iso,
    tracking_number: o.trackingNumber,
    slug: "usps",
    active: last?.tag !== "Delivered",
    custom_fields: null,
    customer_name: null,
    destination_country_iso3: "USA",
    courier_destination_country_iso3: "USA",
    emails: [],
    expected_delivery: o.estDelivery && last?.tag !== "Delivered" ? local(o.estDelivery, -6).day : null,
    note: null,
    // What the merchant typed in AfterShip: never taken as our order id.
    order_id: o.orderId,
    order_id_path: null,
    order_date: null,
    order_number: null,
    origin_country_iso3: "USA",
    shipment_package_count: 1,
    shipment_type: "USPS Ground Advantage",
    shipment_weight: null,
    shipment_weight_unit: null,
    signed_by: null,
    smses: [],
    source: "api",
    tag: last?.tag ?? "Pending",
    subtag: last?.subtag ?? "Pending_001",
    subtag_message: last?.subtag_message ?? "Pending",
    title: o.trackingNumber,
    tracked_count: checkpoints.length,
    last_mile_tracking_supported: null,
    language: null,
    unique_token: "deprecated",
    checkpoints,
  };
  return JSON.stringify({
    event: "tracking_update",
    event_id: uuidFrom("aftership-event", o.trackingNumber, checkpoints.length, o.sentAt),
    is_tracking_first_tag: !previous || previous.tag !== last?.tag,
    msg,
    ts: Math.floor(o.sentAt / 1000),
  });
}

function uuidFrom(...parts: (string | number)[]): string {
  const h = digest(...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// ─── Shopify: fulfillments/create and refunds/create (REST Admin webhook bodies) ─────────────────────

/** The shop's zone (America/Chicago in November): Shopify writes its timestamps with the shop's offset. */
const SHOP_OFFSET = -6;
const CARRIER_NAME: Readonly<Record<Carrier, string>> = { ups: "UPS", fedex: "FedEx", usps: "USPS" };
const TRACKING_URL: Readonly<Record<Carrier, (tn: string) => string>> = {
  ups: (tn) => `https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=${tn}`,
  fedex: (tn) => `https://www.fedex.com/fedextrack/?trknbr=${tn}`,
  usps: (tn) => `https://tools.usps.com/go/TrackConfirmAction?tLabels=${tn}`,
};

const TITLES: Readonly<Record<string, string>> = {
  "WID-1": "Widget",
  "GAD-2": "Gadget",
  "BOLT-9": "Bolt set",
  "LAMP-4": "Desk lamp",
  "MUG-7": "Enamel mug",
  "CHAIR-3": "Task chair",
  "DESK-5": "Standing desk",
  "CABLE-8": "USB-C cable",
};

function shopifyLineItems(o: PlannedOrder, lines: readonly Line[]) {
  return lines.map((l) => {
    const k = o.lines.findIndex((x) => x.sku === l.sku);
    const id = Number(o.shopify?.lineItemIds[k] ?? digits(13, o.orderId, l.sku));
    return {
      id,
      variant_id: Number(digits(13, "variant", l.sku)),
      title: TITLES[l.sku] ?? l.sku,
      quantity: l.quantity,
      sku: l.sku,
      variant_title: null,
      vendor: "Dockline Demo Co",
      fulfillment_service: "manual",
      product_id: Number(digits(13, "product", l.sku)),
      requires_shipping: true,
      taxable: true,
      gift_card: false,
      name: TITLES[l.sku] ?? l.sku,
      properties: [],
      product_exists: true,
      fulfillable_quantity: 0,
      grams: 500,
      price: "24.00",
      total_discount: "0.00",
      fulfillment_status: "fulfilled",
      admin_graphql_api_id: `gid://shopify/LineItem/${id}`,
      tax_lines: [],
    };
  });
}

export function shopifyFulfillment(o: PlannedOrder, s: PlannedShipment, k: number): string {
  const created = local(s.dispatchAt, SHOP_OFFSET).iso;
  const body = {
    id: Number(s.shipmentId),
    order_id: Number(o.shopify?.orderId),
    status: "success",
    created_at: created,
    service: "manual",
    updated_at: created,
    tracking_company: CARRIER_NAME[s.carrier],
    shipment_status: null,
    location_id: Number(digits(11, "shopify-location")),
    origin_address: null,
    email: `${o.shipTo.name.toLowerCase().replaceAll(" ", ".")}@example.com`,
    destination: {
      first_name: o.shipTo.name.split(" ")[0],
      address1: o.shipTo.line1,
      phone: null,
      city: o.shipTo.place.city,
      zip: o.shipTo.place.zip,
      province: o.shipTo.place.state,
      country: "United States",
      last_name: o.shipTo.name.split(" ").slice(1).join(" "),
      address2: null,
      company: null,
      latitude: null,
      longitude: null,
      name: o.shipTo.name,
      country_code: "US",
      province_code: o.shipTo.place.state,
    },
    line_items: shopifyLineItems(o, s.lines),
    tracking_number: s.trackingNumber,
    tracking_numbers: [s.trackingNumber],
    tracking_url: TRACKING_URL[s.carrier](s.trackingNumber),
    tracking_urls: [TRACKING_URL[s.carrier](s.trackingNumber)],
    receipt: {},
    name: `${o.shopify?.name ?? "#1000"}.${k + 1}`,
    admin_graphql_api_id: `gid://shopify/Fulfillment/${s.shipmentId}`,
  };
  return JSON.stringify(body, null, 2);
}

export function shopifyRefund(o: PlannedOrder, refundId: string, at: number, lines: readonly Line[]): string {
  const created = local(at, SHOP_OFFSET).iso;
  const items = shopifyLineItems(o, lines);
  return JSON.stringify(
    {
      id: Number(refundId),
      order_id: Number(o.shopify?.orderId),
      created_at: created,
      note: "Customer return: changed their mind",
      user_id: null,
      processed_at: created,
      restock: true,
      duties: [],
      admin_graphql_api_id: `gid://shopify/Refund/${refundId}`,
      refund_line_items: items.map((item, k) => ({
        id: Number(digits(13, "refund-line", refundId, k)),
        quantity: item.quantity,
        line_item_id: item.id,
        location_id: Number(digits(11, "shopify-location")),
        restock_type: "return",
        subtotal: 24 * item.quantity,
        total_tax: 0,
        line_item: item,
      })),
      transactions: [],
      order_adjustments: [],
    },
    null,
    2,
  );
}

/** A message id a partner keeps across its own retries (Standard Webhooks `webhook-id`). */
export function messageId(...parts: (string | number)[]): string {
  return `msg_${alnum(24, "webhook-id", ...parts).toLowerCase()}`;
}
