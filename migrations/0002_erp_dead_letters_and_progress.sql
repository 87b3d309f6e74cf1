CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`seq` integer NOT NULL,
	`command_key` text NOT NULL,
	`type` text NOT NULL,
	`cause` text NOT NULL,
	`reason` text NOT NULL,
	`erp_status` integer,
	`correlation_id` text NOT NULL,
	`created_at` text NOT NULL,
	`status` text NOT NULL,
	`replayed_at` text
);
--> statement-breakpoint
CREATE INDEX `dead_letters_status_created` ON `dead_letters` (`status`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `dead_letters_open_command` ON `dead_letters` (`order_id`,`seq`,`created_at`);--> statement-breakpoint
CREATE TABLE `erp_progress` (
	`order_id` text PRIMARY KEY NOT NULL,
	`last_seq` integer NOT NULL,
	`acked_seq` integer NOT NULL,
	`dead_seq` integer,
	`oldest_pending_at` text,
	`erp_version` integer NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `erp_progress_pending` ON `erp_progress` (`oldest_pending_at`);