import { randomUUID } from 'node:crypto';
import { byEngine, type Storage } from '$lib/server/db/storage';
import { memoryBroadcast, postgresBroadcast, type Broadcast } from './broadcast';
import { subscribe as onAccepted } from './bus';

/**
 * What this process tells the others, and hears from them, over the database's broadcast (broadcast.ts):
 * - `announce(kind, data)` / `onAnnounce(kind, fn)`: live news — `commit` (ingestion committed events: every
 *   process's hub recomputes its own viewers' snapshots) and `alert` (an alert changed: every process sends it to its
 *   own viewers);
 * - `invalidate(topic, detail)` / `onInvalidate(topic, fn)`: a cache is stale (settings, KPI targets, journey
 *   definitions, embed integrations, keys…). The handlers of this process run at once, before the promise settles;
 *   the other processes' shortly after the commit.
 *
 * A process skips its own messages (it acted on them already). When listening was interrupted (the connection
 * dropped), every subscriber is resynced: announce handlers get their `onResync`, invalidation handlers are called
 * with `null` (drop everything).
 */
export interface Relay {
	/** Sends through this broadcast from now on (startup: the database's; tests: one per "process"). */
	attach(broadcast: Broadcast): Promise<void>;
	detach(): Promise<void>;
	announce(kind: string, data?: string): Promise<void>;
	onAnnounce(kind: string, fn: (data: string) => void, onResync?: () => void): () => void;
	/** A commit happened: announced at most once per `coalesceMs` (leading and trailing edge). */
	commitHappened(): void;
	invalidate(topic: string, detail?: string): Promise<void>;
	onInvalidate(topic: string, fn: (detail: string | null) => void): () => void;
	readonly origin: string;
}

const LIVE = 'resonance_live';
const INVALIDATE = 'resonance_invalidate';

type Announced = { fn: (data: string) => void; onResync?: () => void };

function safely(what: string, run: () => void): void {
	try {
		run();
	} catch (error) {
		console.error(`[resonance] live relay: ${what} failed`, error);
	}
}

/** `<origin> <kind> <data>`: the origin and kind have no spaces. */
function parse(message: string): { origin: string; kind: string; data: string } | null {
	const a = message.indexOf(' ');
	if (a < 0) return null;
	const b = message.indexOf(' ', a + 1);
	return b < 0
		? { origin: message.slice(0, a), kind: message.slice(a + 1), data: '' }
		: { origin: message.slice(0, a), kind: message.slice(a + 1, b), data: message.slice(b + 1) };
}

export function createRelay(options: { coalesceMs?: number } = {}): Relay {
	const origin = randomUUID().replaceAll('-', '').slice(0, 16);
	const coalesceMs = options.coalesceMs ?? 100;
	const announced = new Map<string, Set<Announced>>();
	const invalidators = new Map<string, Set<(detail: string | null) => void>>();
	let broadcast: Broadcast | undefined;
	let unsubscribes: (() => Promise<void>)[] = [];

	const runInvalidators = (topic: string, detail: string | null) => {
		for (const fn of [...(invalidators.get(topic) ?? [])]) safely(`invalidating ${topic}`, () => fn(detail));
	};
	const resyncAll = () => {
		for (const set of announced.values())
			for (const a of [...set]) if (a.onResync) safely('a resync', a.onResync);
	};
	const dropAllCaches = () => {
		for (const topic of invalidators.keys()) runInvalidators(topic, null);
	};

	const publish = async (channel: string, kind: string, data: string) => {
		if (!broadcast) return;
		await broadcast.publish(channel, data ? `${origin} ${kind} ${data}` : `${origin} ${kind}`);
	};

	let lastCommitAt = -Infinity;
	let commitTimer: ReturnType<typeof setTimeout> | undefined;
	const sendCommit = () => {
		commitTimer = undefined;
		lastCommitAt = Date.now();
		publish(LIVE, 'commit', '').catch((error) =>
			console.error('[resonance] live relay: announcing a commit failed', error)
		);
	};

	const relay: Relay = {
		origin,
		async attach(next) {
			await relay.detach();
			broadcast = next;
			unsubscribes = [
				await next.subscribe(
					LIVE,
					(message) => {
						const m = parse(message);
						if (!m || m.origin === origin) return;
						for (const a of [...(announced.get(m.kind) ?? [])]) safely(m.kind, () => a.fn(m.data));
					},
					resyncAll
				),
				await next.subscribe(
					INVALIDATE,
					(message) => {
						const m = parse(message);
						if (!m || m.origin === origin) return;
						runInvalidators(m.kind, m.data || null);
					},
					dropAllCaches
				)
			];
		},
		async detach() {
			const all = unsubscribes;
			unsubscribes = [];
			broadcast = undefined;
			if (commitTimer) clearTimeout(commitTimer);
			commitTimer = undefined;
			for (const stop of all) await stop();
		},
		async announce(kind, data = '') {
			await publish(LIVE, kind, data);
		},
		onAnnounce(kind, fn, onResync) {
			const entry: Announced = { fn, onResync };
			let set = announced.get(kind);
			if (!set) announced.set(kind, (set = new Set()));
			set.add(entry);
			return () => void set.delete(entry);
		},
		commitHappened() {
			if (!broadcast || commitTimer) return;
			const wait = lastCommitAt + coalesceMs - Date.now();
			if (wait <= 0) sendCommit();
			else {
				commitTimer = setTimeout(sendCommit, wait);
				commitTimer.unref?.();
			}
		},
		async invalidate(topic, detail) {
			if (/\s/.test(topic) || !topic) throw new Error(`live relay: bad topic "${topic}"`);
			runInvalidators(topic, detail ?? null);
			await publish(INVALIDATE, topic, detail ?? '');
		},
		onInvalidate(topic, fn) {
			let set = invalidators.get(topic);
			if (!set) invalidators.set(topic, (set = new Set()));
			set.add(fn);
			return () => void set.delete(fn);
		}
	};
	return relay;
}

/** The broadcast of a database: in the process for SQLite, LISTEN/NOTIFY for PostgreSQL (one per pool). */
const broadcasts = {
	sqlite: () => memoryBroadcast(),
	postgres: (db: Parameters<typeof postgresBroadcast>[0]) => postgresBroadcast(db)
};
export function broadcastFor(storage: Storage): Broadcast {
	return byEngine(storage, broadcasts);
}

const processRelay = createRelay();

/** This process's relay. Until `startLive` attaches it, announcements stay in the process (tests, scripts). */
export function relay(): Relay {
	return processRelay;
}

/** A cache is stale: drops it here now and in the other processes once they hear of it. */
export function invalidate(topic: string, detail?: string): Promise<void> {
	return processRelay.invalidate(topic, detail);
}

/** Runs `fn` whenever `topic` is invalidated in any process (`null`: everything may be stale). */
export function onInvalidate(topic: string, fn: (detail: string | null) => void): () => void {
	return processRelay.onInvalidate(topic, fn);
}

let stopAccepted: (() => void) | undefined;

/**
 * Startup: the process's relay speaks through the database's broadcast, and every commit of this process's
 * ingestion is announced (coalesced) so the other processes' viewers get fresh snapshots.
 */
export async function startLive(storage: Storage): Promise<void> {
	await processRelay.attach(broadcastFor(storage));
	stopAccepted ??= onAccepted(() => processRelay.commitHappened());
}

export async function stopLive(): Promise<void> {
	stopAccepted?.();
	stopAccepted = undefined;
	await processRelay.detach();
}
