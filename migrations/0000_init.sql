CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`key_hash` text NOT NULL,
	`label` text,
	`created_at` text NOT NULL,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_unique` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_customer` ON `api_keys` (`customer_id`);--> statement-breakpoint
CREATE TABLE `orders` (
	`order_id` text PRIMARY KEY NOT NULL,
	`customer_id` text NOT NULL,
	`status` text NOT NULL,
	`status_at` text,
	`version` integer NOT NULL,
	`open_exceptions` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `orders_customer_updated` ON `orders` (`customer_id`,`updated_at`);--> statement-breakpoint
CREATE TABLE `shipments` (
	`order_id` text NOT NULL,
	`shipment_id` text NOT NULL,
	`carrier` text,
	`tracking_number` text,
	`status` text NOT NULL,
	`last_event` text,
	`eta` text,
	`version` integer NOT NULL,
	PRIMARY KEY(`order_id`, `shipment_id`)
);
--> statement-breakpoint
CREATE INDEX `shipments_tracking` ON `shipments` (`tracking_number`);--> statement-breakpoint
CREATE TABLE `timeline` (
	`order_id` text NOT NULL,
	`event_id` text NOT NULL,
	`code` text NOT NULL,
	`occurred_at` text NOT NULL,
	`location` text,
	`description` text NOT NULL,
	`source` text NOT NULL,
	PRIMARY KEY(`order_id`, `event_id`)
);
--> statement-breakpoint
CREATE INDEX `timeline_order_time` ON `timeline` (`order_id`,`occurred_at`);