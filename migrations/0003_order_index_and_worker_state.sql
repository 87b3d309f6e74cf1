CREATE TABLE `order_index` (
	`order_id` text PRIMARY KEY NOT NULL,
	`released_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `worker_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
