ALTER TABLE `events` ADD `chain_last` integer;--> statement-breakpoint
ALTER TABLE `events` ADD `chain_self_service` integer;--> statement-breakpoint
ALTER TABLE `events` ADD `transferred_to_agent` integer;--> statement-breakpoint
ALTER TABLE `metric_cells` ADD `wait_n` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `metric_cells` ADD `offered_wait_known` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `metric_cells` ADD `chains` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `metric_cells` ADD `chains_judged` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `metric_cells` ADD `unattributed_complaints` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `metric_day_cells` ADD `wait_n` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `metric_day_cells` ADD `offered_wait_known` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `metric_day_cells` ADD `chains` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `metric_day_cells` ADD `chains_judged` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `metric_day_cells` ADD `unattributed_complaints` integer DEFAULT 0 NOT NULL;