import { z } from 'zod';
import type { Db } from '$lib/server/db';
import { asStorage, type Storage } from '$lib/server/db/storage';
import { readState, textStore } from './state';
import type { RuleInsert, RuleRow } from './store';
import {
	compileTagRules,
	defaultTagRules,
	tagRuleSchema,
	type CompiledTagRules,
	type TagKind,
	type TagRule,
	type TagRuleInput
} from './tags';

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

function toRow(r: TagRule): RuleInsert {
	return {
		id: r.id,
		tag: r.tag,
		label: r.label,
		labelEn: r.labelEn,
		any: JSON.stringify(r.any),
		with: JSON.stringify(r.with),
		not: JSON.stringify(r.not),
		enabled: r.enabled ? 1 : 0
	};
}

/** Seeds the default rules once per database (an admin who later deletes them all keeps an empty set). */
async function ensureSeeded(target: Db | Storage) {
	if (await readState(target, 'rules_seeded', false)) return;
	await textStore(target).replaceRules(defaultTagRules().map(toRow), null, Date.now(), true);
}

/** The tagging rules in their order (seeded with `defaultTagRules()` the first time). */
export async function getTagRules(target: Db | Storage): Promise<TagRule[]> {
	await ensureSeeded(target);
	return (await textStore(target).ruleRows()).map(fromRow);
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
export async function setTagRules(
	target: Db | Storage,
	rules: readonly TagRuleInput[],
	actor: string | null = null
): Promise<TagRule[]> {
	const parsed = ruleSetSchema.parse(rules);
	await textStore(target).replaceRules(parsed.map(toRow), actor, Date.now(), false);
	return getTagRules(target);
}

/** Puts the default rules back. */
export async function resetTagRules(target: Db | Storage, actor: string | null = null): Promise<TagRule[]> {
	return setTagRules(target, defaultTagRules(), actor);
}

export async function rulesVersion(target: Db | Storage): Promise<number> {
	return readState(target, 'rules_version', 0);
}

/** Safe across processes: keyed by the stored rules version, read from the database at every call. */
const compiledByDb = new WeakMap<object, { version: number; compiled: CompiledTagRules }>();

/** The compiled rules of a database, recompiled only when the rules changed. */
export async function compiledTagRules(
	target: Db | Storage
): Promise<{ version: number; compiled: CompiledTagRules }> {
	await ensureSeeded(target);
	const version = await rulesVersion(target);
	const key = asStorage(target).db;
	const cached = compiledByDb.get(key);
	if (cached && cached.version === version) return cached;
	const fresh = { version, compiled: compileTagRules(await getTagRules(target)) };
	compiledByDb.set(key, fresh);
	return fresh;
}
