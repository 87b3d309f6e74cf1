CREATE TABLE `reconcile_queue` (
	`order_id` text PRIMARY KEY NOT NULL,
	`reason` text NOT NULL,
	`noted_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sync_counter` (
	`id` integer PRIMARY KEY NOT NULL,
	`position` integer NOT NULL
);
--> statement-breakpoint
DROP INDEX `orders_customer_updated`;--> statement-breakpoint
ALTER TABLE `orders` ADD `ops_exceptions` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `sync_position` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `synced_at` text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Rows written before this migration: each gets a distinct position and its last change time; the
-- counter starts after them.
UPDATE `orders` SET `sync_position` = rowid, `synced_at` = `updated_at`;--> statement-breakpoint
INSERT INTO `sync_counter` (`id`, `position`) SELECT 1, coalesce(max(`sync_position`), 0) FROM `orders`;--> statement-breakpoint
CREATE UNIQUE INDEX `orders_sync_position` ON `orders` (`sync_position`);--> statement-breakpoint
CREATE INDEX `orders_customer_sync` ON `orders` (`customer_id`,`sync_position`);--> statement-breakpoint
CREATE INDEX `orders_synced_at` ON `orders` (`customer_id`,`synced_at`);