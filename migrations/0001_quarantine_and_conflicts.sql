CREATE TABLE `correlation_conflicts` (
	`key` text NOT NULL,
	`bound_order_id` text NOT NULL,
	`claimant_order_id` text NOT NULL,
	`detected_at` text NOT NULL,
	PRIMARY KEY(`key`, `claimant_order_id`)
);
--> statement-breakpoint
CREATE TABLE `quarantine` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`reason` text NOT NULL,
	`content_type` text NOT NULL,
	`headers` text NOT NULL,
	`body` text NOT NULL,
	`correlation_id` text NOT NULL,
	`received_at` text NOT NULL,
	`status` text NOT NULL,
	`replayed_at` text,
	`replay_result` text
);
--> statement-breakpoint
CREATE INDEX `quarantine_status_received` ON `quarantine` (`status`,`received_at`);