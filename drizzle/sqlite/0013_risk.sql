CREATE TABLE `risk_models` (
	`id` integer PRIMARY KEY NOT NULL,
	`trained_at` integer NOT NULL,
	`train_from` integer NOT NULL,
	`train_to` integer NOT NULL,
	`test_from` integer NOT NULL,
	`test_to` integer NOT NULL,
	`model` text NOT NULL,
	`quality` text NOT NULL,
	`scored` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `risk_scores` (
	`customer_id` text PRIMARY KEY NOT NULL,
	`model_id` integer NOT NULL,
	`scored_at` integer NOT NULL,
	`score` real NOT NULL,
	`regulator_score` real NOT NULL,
	`team_id` text,
	`segment` text,
	`reasons` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `risk_scores_score` ON `risk_scores` (`score`,`customer_id`);--> statement-breakpoint
CREATE INDEX `risk_scores_team_score` ON `risk_scores` (`team_id`,`score`,`customer_id`);