CREATE TABLE `fulfillment_requests` (
	`request_id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`partner` text NOT NULL,
	`lines` text NOT NULL,
	`requested_at` text NOT NULL,
	`acknowledged_at` text,
	`cancelled_at` text,
	`version` integer NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `fulfillment_requests_order` ON `fulfillment_requests` (`order_id`);--> statement-breakpoint
CREATE INDEX `fulfillment_requests_unacknowledged` ON `fulfillment_requests` (`partner`,`requested_at`) WHERE acknowledged_at IS NULL AND cancelled_at IS NULL;