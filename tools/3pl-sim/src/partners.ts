// The partners the simulator plays, as dockline's configuration knows them: where dockline sends their
// fulfillment requests (POST /<partnerId>), in which format, and the binding that holds their secret.
export const PARTNERS = {
  "acme-3pl": { format: "canonical", secret: "PARTNER_SECRET_ACME_3PL", contentType: "application/json" },
  edi: { format: "x12-940", secret: "PARTNER_SECRET_EDI", contentType: "application/edi-x12" },
} as const;

export type PartnerId = keyof typeof PARTNERS;
export const PARTNER_IDS = Object.keys(PARTNERS) as [PartnerId, ...PartnerId[]];

export const isPartnerId = (id: string): id is PartnerId => Object.hasOwn(PARTNERS, id);
