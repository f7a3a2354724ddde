CREATE TABLE `classifier_corrections` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`text` text NOT NULL,
	`chain` text NOT NULL,
	`predicted` text,
	`actor` text,
	`created_at` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `classifier_corrections_created` ON `classifier_corrections` (`created_at`);--> statement-breakpoint
CREATE TABLE `digests` (
	`period_key` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`claimed_by` text NOT NULL,
	`claimed_at` integer NOT NULL,
	`posted_at` integer,
	`outbox_id` integer
);
--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`type` text NOT NULL,
	`step_key` text,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_run` ON `events` (`run_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_at` ON `events` (`at`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`key` text PRIMARY KEY NOT NULL,
	`run_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text,
	`kind` text NOT NULL,
	`channel_id` text,
	`in_thread` integer DEFAULT false NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`claimed_by` text,
	`claimed_until` integer,
	`last_error` text,
	`result_ts` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE INDEX `outbox_pending` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_run` ON `outbox` (`run_id`);--> statement-breakpoint
CREATE TABLE `pending_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`text` text NOT NULL,
	`requester` text NOT NULL,
	`channel_id` text,
	`thread_ts` text,
	`source` text NOT NULL,
	`classification` text NOT NULL,
	`created_at` integer NOT NULL,
	`resolved_run_id` text
);
--> statement-breakpoint
CREATE TABLE `role_holders` (
	`role` text PRIMARY KEY NOT NULL,
	`members` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`chain` text NOT NULL,
	`seq` integer NOT NULL,
	`title` text NOT NULL,
	`request_text` text DEFAULT '' NOT NULL,
	`requester` text NOT NULL,
	`channel_id` text,
	`thread_ts` text,
	`root_ts` text,
	`source` text DEFAULT 'api' NOT NULL,
	`status` text NOT NULL,
	`severity` text,
	`release_type` text,
	`change_type` text,
	`audit_type` text,
	`flags` text NOT NULL,
	`projects` text NOT NULL,
	`context` text NOT NULL,
	`blocked_reason` text,
	`version` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`closed_at` integer
);
--> statement-breakpoint
CREATE INDEX `runs_open_by_channel` ON `runs` (`channel_id`,`status`);--> statement-breakpoint
CREATE INDEX `runs_closed_at` ON `runs` (`closed_at`);--> statement-breakpoint
CREATE INDEX `runs_status_created` ON `runs` (`status`,`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `runs_chain_seq` ON `runs` (`chain`,`seq`);--> statement-breakpoint
CREATE TABLE `sequences` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `step_assignees` (
	`step_id` integer NOT NULL,
	`run_id` text NOT NULL,
	`principal` text NOT NULL,
	`role` text NOT NULL,
	PRIMARY KEY(`step_id`, `principal`, `role`),
	FOREIGN KEY (`step_id`) REFERENCES `steps`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `step_assignees_principal` ON `step_assignees` (`principal`);--> statement-breakpoint
CREATE TABLE `steps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`idx` integer NOT NULL,
	`key` text NOT NULL,
	`title` text NOT NULL,
	`owners` text NOT NULL,
	`approvers` text NOT NULL,
	`watchers` text NOT NULL,
	`assignees` text NOT NULL,
	`deliveries` text NOT NULL,
	`spec` text NOT NULL,
	`status` text NOT NULL,
	`output` text,
	`notes` text NOT NULL,
	`skip_reason` text,
	`block_reason` text,
	`blocked_by` text,
	`blocked_by_role` text,
	`version` integer DEFAULT 0 NOT NULL,
	`started_at` integer,
	`acknowledged_at` integer,
	`completed_at` integer,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `steps_run_idx` ON `steps` (`run_id`,`idx`);--> statement-breakpoint
CREATE INDEX `steps_status` ON `steps` (`status`);--> statement-breakpoint
CREATE TABLE `timers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`step_id` integer,
	`kind` text NOT NULL,
	`due_at` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`data` text NOT NULL,
	`claimed_by` text,
	`fired_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `timers_due` ON `timers` (`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `timers_step` ON `timers` (`step_id`);--> statement-breakpoint
CREATE TABLE `usergroup_members` (
	`group_id` text PRIMARY KEY NOT NULL,
	`members` text NOT NULL,
	`refreshed_at` integer NOT NULL
);
