CREATE TABLE `reconcile_queue` (
	`order_id` text PRIMARY KEY NOT NULL,
	`reason` text NOT NULL,
	`noted_at` text NOT NULL
);
--> statement-breakpoint
DROP INDEX `orders_customer_updated`;--> statement-breakpoint
ALTER TABLE `orders` ADD `sync_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `synced_at` text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Rows written before this migration: each gets a distinct sequence number and its last change time.
UPDATE `orders` SET `sync_seq` = rowid, `synced_at` = `updated_at`;--> statement-breakpoint
CREATE UNIQUE INDEX `orders_sync_seq` ON `orders` (`sync_seq`);--> statement-breakpoint
CREATE INDEX `orders_customer_sync` ON `orders` (`customer_id`,`sync_seq`);--> statement-breakpoint
CREATE INDEX `orders_synced_at` ON `orders` (`customer_id`,`synced_at`);