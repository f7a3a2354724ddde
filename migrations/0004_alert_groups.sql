CREATE TABLE `alert_groups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`dedup_key` text NOT NULL,
	`run_id` text NOT NULL,
	`status` text NOT NULL,
	`received` integer NOT NULL,
	`firing` integer NOT NULL,
	`first_at` integer NOT NULL,
	`last_at` integer NOT NULL,
	`resolved_at` integer,
	`last_line_at` integer,
	`latest` text NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `alert_groups_key` ON `alert_groups` (`source`,`dedup_key`,`id`);--> statement-breakpoint
CREATE INDEX `alert_groups_run` ON `alert_groups` (`run_id`);