import { z } from 'zod';
import type { Db } from '$lib/server/db';
import { readState, writeState } from './state';
import {
	compileTagRules,
	defaultTagRules,
	tagRuleSchema,
	type CompiledTagRules,
	type TagKind,
	type TagRule,
	type TagRuleInput
} from './tags';

interface RuleRow {
	id: string;
	tag: string;
	label: string;
	label_en: string;
	any: string;
	with: string;
	not: string;
	enabled: number;
}

function fromRow(r: RuleRow): TagRule {
	return {
		id: r.id,
		tag: r.tag as TagKind,
		label: r.label,
		labelEn: r.label_en,
		any: JSON.parse(r.any) as string[],
		with: JSON.parse(r.with) as string[],
		not: JSON.parse(r.not) as string[],
		enabled: r.enabled === 1
	};
}

function replaceAll(db: Db, rules: readonly TagRule[], actor: string | null) {
	const c = db.$client;
	const insert = c.prepare(
		`INSERT INTO text_tag_rules (id, tag, label, label_en, any, "with", "not", enabled, position, updated_at, updated_by)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	);
	const now = Date.now();
	c.prepare('DELETE FROM text_tag_rules').run();
	rules.forEach((r, i) =>
		insert.run(
			r.id,
			r.tag,
			r.label,
			r.labelEn,
			JSON.stringify(r.any),
			JSON.stringify(r.with),
			JSON.stringify(r.not),
			r.enabled ? 1 : 0,
			i,
			now,
			actor
		)
	);
	writeState(db, 'rules_version', readState(db, 'rules_version', 0) + 1);
}

/** Seeds the default rules once per database (an admin who later deletes them all keeps an empty set). */
function ensureSeeded(db: Db) {
	if (readState(db, 'rules_seeded', false)) return;
	db.$client
		.transaction(() => {
			replaceAll(db, defaultTagRules(), null);
			writeState(db, 'rules_seeded', true);
		})
		.immediate();
}

/** The tagging rules in their order (seeded with `defaultTagRules()` the first time). */
export function getTagRules(db: Db): TagRule[] {
	ensureSeeded(db);
	const rows = db.$client.prepare('SELECT * FROM text_tag_rules ORDER BY position, id').all() as RuleRow[];
	return rows.map(fromRow);
}

const ruleSetSchema = z
	.array(tagRuleSchema)
	.max(500)
	.refine((rules) => new Set(rules.map((r) => r.id)).size === rules.length, {
		message: 'rule ids must be unique'
	});

/**
 * Replaces the whole rule set (validated; throws a ZodError on bad input). Texts already indexed are re-tagged by
 * the next background recompute, which sees the rules version change.
 */
export function setTagRules(db: Db, rules: readonly TagRuleInput[], actor: string | null = null): TagRule[] {
	const parsed = ruleSetSchema.parse(rules);
	db.$client
		.transaction(() => {
			replaceAll(db, parsed, actor);
			writeState(db, 'rules_seeded', true);
		})
		.immediate();
	return getTagRules(db);
}

/** Puts the default rules back. */
export function resetTagRules(db: Db, actor: string | null = null): TagRule[] {
	return setTagRules(db, defaultTagRules(), actor);
}

export function rulesVersion(db: Db): number {
	return readState(db, 'rules_version', 0);
}

const compiledByDb = new WeakMap<Db, { version: number; compiled: CompiledTagRules }>();

/** The compiled rules of a database, recompiled only when the rules changed. */
export function compiledTagRules(db: Db): { version: number; compiled: CompiledTagRules } {
	ensureSeeded(db);
	const version = rulesVersion(db);
	const cached = compiledByDb.get(db);
	if (cached && cached.version === version) return cached;
	const fresh = { version, compiled: compileTagRules(getTagRules(db)) };
	compiledByDb.set(db, fresh);
	return fresh;
}
