import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { CxEvent } from '$lib/model';
import type { Db } from '$lib/server/db';

/** What happened to each event handed to the writer, by its position in the input. */
export interface WriteResult {
	accepted: number;
	duplicates: number;
	/** Positions (in the input array) of events that were already stored. */
	duplicateIndexes: number[];
}

export interface WriteOptions {
	/** The ingestion source; part of the de-duplication key. Null for internal writers (seed, import without source). */
	sourceId: number | null;
	/** Arrival time, epoch ms (defaults to now). */
	receivedAt?: number;
	/** De-duplicate by (source, id). The demo history seed turns it off: its ids are unique by construction. */
	dedupe?: boolean;
}

/** A 63-bit hash of (source, client id), the de-duplication key. Collisions at 2⁻⁶³ per pair are accepted. */
export function eventIdHash(sourceId: number | null, id: string): bigint {
	const digest = createHash('sha256').update(`${sourceId ?? 0}\u0000${id}`).digest();
	return BigInt.asIntN(64, digest.readBigUInt64BE(0) >> 1n);
}

interface Statements {
	claimId: Statement;
	insertEvent: Statement;
	touchCustomer: Statement;
	identifyCustomer: Statement;
	customerTraits: Statement;
	registerTeam: Statement;
	registerAgent: Statement;
	registerDimension: Statement;
}

const statementsByDb = new WeakMap<Db, Statements>();
/** Teams, agents and dimension values already registered, so the hot path does not write them again. */
const knownByDb = new WeakMap<Db, Set<string>>();

function statementsFor(db: Db): Statements {
	let s = statementsByDb.get(db);
	if (s) return s;
	const c = db.$client;
	s = {
		claimId: c.prepare('INSERT OR IGNORE INTO event_ids (hash, seen_at) VALUES (?, ?)'),
		insertEvent: c.prepare(
			`INSERT INTO events (id, source_id, type, ts, received_at, customer_id, channel, name, journey, handled_by,
			  queue, team_id, agent_id, reason, wait_s, handle_s, outcome, metric, score, text, contact_id, category,
			  severity, regulator, segment, region, sentiment, properties)
			 VALUES (@id, @sourceId, @type, @ts, @receivedAt, @customerId, @channel, @name, @journey, @handledBy,
			  @queue, @teamId, @agentId, @reason, @waitS, @handleS, @outcome, @metric, @score, @text, @contactId,
			  @category, @severity, @regulator, @segment, @region, @sentiment, @properties)`
		),
		touchCustomer: c.prepare(
			`INSERT INTO customers (id, traits, first_seen, last_seen) VALUES (?, '{}', ?, ?)
			 ON CONFLICT (id) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen),
			   last_seen = max(last_seen, excluded.last_seen)`
		),
		identifyCustomer: c.prepare(
			`INSERT INTO customers (id, segment, tier, region, traits, first_seen, last_seen)
			 VALUES (@id, @segment, @tier, @region, @traits, @ts, @ts)
			 ON CONFLICT (id) DO UPDATE SET segment = coalesce(excluded.segment, segment),
			   tier = coalesce(excluded.tier, tier), region = coalesce(excluded.region, region),
			   traits = json_patch(traits, excluded.traits),
			   first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`
		),
		customerTraits: c.prepare('SELECT segment, region FROM customers WHERE id = ?'),
		registerTeam: c.prepare('INSERT OR IGNORE INTO teams (id, name, first_seen) VALUES (?, ?, ?)'),
		registerAgent: c.prepare('INSERT OR IGNORE INTO agents (id, name, team_id, first_seen) VALUES (?, ?, ?, ?)'),
		registerDimension: c.prepare(
			'INSERT OR IGNORE INTO dimension_values (dimension, value, first_seen) VALUES (?, ?, ?)'
		)
	};
	statementsByDb.set(db, s);
	return s;
}

function register(db: Db, s: Statements, kind: string, key: string, write: () => void) {
	let known = knownByDb.get(db);
	if (!known) knownByDb.set(db, (known = new Set()));
	const k = `${kind}\u0000${key}`;
	if (known.has(k)) return;
	write();
	known.add(k);
}

/**
 * Writes normalized events in one transaction: claims each id (duplicates are skipped and reported), creates or
 * updates customers, registers teams/agents/queues/reasons first seen, and inserts the event rows stamped with
 * the customer's segment and region. Returns only after the transaction has committed.
 */
export function writeEvents(db: Db, events: readonly CxEvent[], options: WriteOptions): WriteResult {
	const s = statementsFor(db);
	const receivedAt = options.receivedAt ?? Date.now();
	const dedupe = options.dedupe ?? true;
	const result: WriteResult = { accepted: 0, duplicates: 0, duplicateIndexes: [] };

	db.$client.transaction(() => {
		events.forEach((e, index) => {
			if (dedupe && s.claimId.run(eventIdHash(options.sourceId, e.id), receivedAt).changes === 0) {
				result.duplicates++;
				result.duplicateIndexes.push(index);
				return;
			}
			if (e.type === 'identify') {
				const { segment, tier, region, ...rest } = e.traits ?? {};
				s.identifyCustomer.run({
					id: e.customerId,
					segment: segment ?? null,
					tier: tier ?? null,
					region: region ?? null,
					traits: JSON.stringify(rest),
					ts: e.ts
				});
			} else {
				s.touchCustomer.run(e.customerId, e.ts, e.ts);
			}
			const customer = s.customerTraits.get(e.customerId) as
				| { segment: string | null; region: string | null }
				| undefined;
			if (e.teamId) register(db, s, 'team', e.teamId, () => s.registerTeam.run(e.teamId, e.teamId, e.ts));
			if (e.agentId)
				register(db, s, 'agent', e.agentId, () =>
					s.registerAgent.run(e.agentId, e.agentId, e.teamId ?? null, e.ts)
				);
			if (e.queue) register(db, s, 'queue', e.queue, () => s.registerDimension.run('queue', e.queue, e.ts));
			if (e.reason) register(db, s, 'reason', e.reason, () => s.registerDimension.run('reason', e.reason, e.ts));
			s.insertEvent.run({
				id: e.id,
				sourceId: options.sourceId,
				type: e.type,
				ts: e.ts,
				receivedAt,
				customerId: e.customerId,
				channel: e.channel ?? null,
				name: e.name ?? null,
				journey: e.journey ?? null,
				handledBy: e.handledBy ?? null,
				queue: e.queue ?? null,
				teamId: e.teamId ?? null,
				agentId: e.agentId ?? null,
				reason: e.reason ?? null,
				waitS: e.waitS ?? null,
				handleS: e.handleS ?? null,
				outcome: e.outcome ?? null,
				metric: e.metric ?? null,
				score: e.score ?? null,
				text: e.text ?? null,
				contactId: e.contactId ?? null,
				category: e.category ?? null,
				severity: e.severity ?? null,
				regulator: e.regulator === undefined ? null : e.regulator ? 1 : 0,
				segment: customer?.segment ?? null,
				region: customer?.region ?? null,
				sentiment: null,
				properties: JSON.stringify(e.properties ?? {})
			});
			result.accepted++;
		});
	})();
	return result;
}
