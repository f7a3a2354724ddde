DROP INDEX `outbox_lane`;--> statement-breakpoint
CREATE INDEX `outbox_lane` ON `outbox` (`channel_id`,`status`,`next_attempt_at`);