CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`actor_kind` text NOT NULL,
	`action` text NOT NULL,
	`target` text,
	`status` integer NOT NULL,
	`detail` text,
	`correlation_id` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_at` ON `audit_log` (`at`);--> statement-breakpoint
CREATE INDEX `audit_log_target` ON `audit_log` (`target`);--> statement-breakpoint
CREATE TABLE `delivery_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`destination` text NOT NULL,
	`order_id` text NOT NULL,
	`seq` integer NOT NULL,
	`command_key` text NOT NULL,
	`at` text NOT NULL,
	`status` integer,
	`latency_ms` integer NOT NULL,
	`outcome` text NOT NULL,
	`response` text,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `delivery_attempts_order` ON `delivery_attempts` (`order_id`,`destination`,`seq`,`id`);--> statement-breakpoint
CREATE INDEX `delivery_attempts_at` ON `delivery_attempts` (`at`);--> statement-breakpoint
CREATE TABLE `inbound_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`received_at` text NOT NULL,
	`outcome` text NOT NULL,
	`http_status` integer NOT NULL,
	`correlation_id` text NOT NULL,
	`reason` text,
	`content_type` text,
	`headers` text NOT NULL,
	`body` text,
	`body_bytes` integer NOT NULL,
	`order_ids` text,
	`search` text DEFAULT '' NOT NULL,
	`quarantine_id` text,
	`latency_ms` integer
);
--> statement-breakpoint
CREATE INDEX `inbound_requests_received` ON `inbound_requests` (`received_at`);--> statement-breakpoint
CREATE INDEX `inbound_requests_partner` ON `inbound_requests` (`partner_id`,`received_at`);--> statement-breakpoint
CREATE INDEX `inbound_requests_outcome` ON `inbound_requests` (`outcome`,`received_at`);--> statement-breakpoint
CREATE TABLE `tracking_revocations` (
	`order_id` text PRIMARY KEY NOT NULL,
	`revoked_before` text NOT NULL,
	`revoked_by` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `correlation_conflicts` ADD `resolved_at` text;--> statement-breakpoint
ALTER TABLE `correlation_conflicts` ADD `resolved_by` text;--> statement-breakpoint
ALTER TABLE `correlation_conflicts` ADD `resolution` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `destination` text;--> statement-breakpoint
ALTER TABLE `quarantine` ADD `closed_by` text;--> statement-breakpoint
ALTER TABLE `quarantine` ADD `closed_at` text;--> statement-breakpoint
ALTER TABLE `quarantine` ADD `close_note` text;--> statement-breakpoint
ALTER TABLE `shipments` ADD `lines` text;--> statement-breakpoint
ALTER TABLE `timeline` ADD `shipment_id` text;