CREATE TABLE `subscription_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subscription_id` text NOT NULL,
	`delivery_id` text NOT NULL,
	`at` text NOT NULL,
	`status` integer,
	`latency_ms` integer NOT NULL,
	`outcome` text NOT NULL,
	`response` text,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `subscription_attempts_delivery` ON `subscription_attempts` (`subscription_id`,`delivery_id`,`id`);--> statement-breakpoint
CREATE INDEX `subscription_attempts_at` ON `subscription_attempts` (`at`);--> statement-breakpoint
CREATE TABLE `subscription_deliveries` (
	`subscription_id` text NOT NULL,
	`id` text NOT NULL,
	`source` text,
	`customer_id` text,
	`order_id` text,
	`event_type` text NOT NULL,
	`version` integer,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`last_status` integer,
	`last_error` text,
	`body` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`delivered_at` text,
	PRIMARY KEY(`subscription_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `subscription_deliveries_recent` ON `subscription_deliveries` (`subscription_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`scope` text NOT NULL,
	`customer_id` text,
	`url` text NOT NULL,
	`events` text NOT NULL,
	`format` text DEFAULT 'standard' NOT NULL,
	`description` text,
	`secret` text NOT NULL,
	`previous_secret` text,
	`previous_secret_expires_at` text,
	`routing_key` text,
	`status` text NOT NULL,
	`disabled_reason` text,
	`disabled_at` text,
	`failing_since` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `subscriptions_customer` ON `subscriptions` (`customer_id`,`status`);