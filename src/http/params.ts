// Path parameters shared by routes, typed by the domain's own grammar: an order id in a URL is checked by
// the same rule as in the ERP release and in partner payloads, and an invalid one is a 422 problem
// ("Path parameter orderId: …") before anything is looked up or written.
import { OrderId } from "../domain/identifiers";

export const OrderIdParams = {
  orderId: OrderId.openapi({ param: { name: "orderId", in: "path" }, example: "SO-1001" }),
};
