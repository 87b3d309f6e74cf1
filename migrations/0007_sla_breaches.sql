CREATE TABLE `sla_breaches` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`customer_id` text NOT NULL,
	`check_name` text NOT NULL,
	`subject` text,
	`due_at` text NOT NULL,
	`breached_at` text NOT NULL,
	`resolved_at` text,
	`description` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sla_breaches_open` ON `sla_breaches` (`breached_at`) WHERE resolved_at IS NULL;--> statement-breakpoint
CREATE INDEX `sla_breaches_order` ON `sla_breaches` (`order_id`);