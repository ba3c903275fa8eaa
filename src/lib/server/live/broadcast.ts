import type { PgDb } from '$lib/server/db/postgres';

/**
 * Messages between the server processes that share one database (DESIGN.md "Scale-out on PostgreSQL"): "a commit
 * happened", "this alert changed", "this cache is stale". Messages say what changed, never carry whole snapshots:
 * each process rebuilds what its own viewers need.
 *
 * On SQLite one process owns the file, so the broadcast stays in the process. On PostgreSQL it is LISTEN/NOTIFY:
 * every process listening on a channel (the sender included) receives each message once it is committed.
 */
export interface Broadcast {
	/** Sends a message to every subscriber of the channel in every process (this one included). */
	publish(channel: string, message: string): Promise<void>;
	/**
	 * Receives the channel's messages until the returned function is called. `onResync` runs whenever listening was
	 * (re)established after the connection dropped: messages sent meanwhile are lost, so the subscriber should act
	 * as if everything changed (recompute, drop caches).
	 */
	subscribe(
		channel: string,
		onMessage: (message: string) => void,
		onResync?: () => void
	): Promise<() => Promise<void>>;
	/** Stops listening (the database pool itself is closed by its owner). */
	close(): Promise<void>;
}

/** NOTIFY refuses payloads of 8000 bytes or more; we stay well below (the channel name shares the limit). */
export const MAX_MESSAGE_BYTES = 7900;

export class MessageTooLargeError extends Error {
	constructor(bytes: number) {
		super(`broadcast: a message of ${bytes} bytes is over the ${MAX_MESSAGE_BYTES}-byte limit`);
		this.name = 'MessageTooLargeError';
	}
}

function checkSize(message: string): void {
	const bytes = Buffer.byteLength(message, 'utf8');
	if (bytes > MAX_MESSAGE_BYTES) throw new MessageTooLargeError(bytes);
}

/** Channel names are identifiers: lower-case letters, digits and underscores. */
function checkChannel(channel: string): void {
	if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`broadcast: bad channel name "${channel}"`);
}

type Handler = { onMessage: (message: string) => void; onResync?: () => void };

function deliver(handlers: Iterable<Handler>, message: string): void {
	for (const h of [...handlers]) {
		try {
			h.onMessage(message);
		} catch (error) {
			console.error('[resonance] broadcast: a subscriber failed', error);
		}
	}
}

/** The broadcast of a single process (SQLite): messages go to this process's subscribers, asynchronously. */
export function memoryBroadcast(): Broadcast {
	const channels = new Map<string, Set<Handler>>();
	return {
		async publish(channel, message) {
			checkChannel(channel);
			checkSize(message);
			const handlers = channels.get(channel);
			if (handlers) queueMicrotask(() => deliver(handlers, message));
		},
		async subscribe(channel, onMessage, onResync) {
			checkChannel(channel);
			const handler: Handler = { onMessage, onResync };
			let set = channels.get(channel);
			if (!set) channels.set(channel, (set = new Set()));
			set.add(handler);
			return async () => {
				set.delete(handler);
			};
		},
		async close() {
			channels.clear();
		}
	};
}

export interface PostgresBroadcastOptions {
	/**
	 * How often the listening connection is proven alive by a message to itself (default 15 s); when the proof does
	 * not come back within `probeTimeoutMs` (default 5 s), every channel is listened to again and resynced.
	 */
	probeMs?: number;
	probeTimeoutMs?: number;
}

const PROBE_CHANNEL = 'resonance_probe';

/**
 * LISTEN/NOTIFY over the process's pool. postgres.js listens on a dedicated connection outside the pool and listens
 * again when that connection closes; when listening again fails (the server was down at that moment) it gives up
 * silently, so a probe checks the loop end to end and starts over when it is broken.
 */
export function postgresBroadcast(db: PgDb, options: PostgresBroadcastOptions = {}): Broadcast {
	const sql = db.$client;
	const probeMs = options.probeMs ?? 15_000;
	const probeTimeoutMs = options.probeTimeoutMs ?? 5_000;
	const probeId = `${process.pid}-${Math.random().toString(36).slice(2)}`;
	// `gen` makes listeners of an earlier listen inert: after postgres.js listened again by itself, its unlisten no
	// longer reaches the listener it re-created, so a listener we replace may linger but delivers nothing.
	const channels = new Map<string, { handlers: Set<Handler>; gen: number; unlisten?: () => Promise<void> }>();
	let closed = false;
	let probeSeq = 0;
	const probeWaiters = new Map<string, () => void>();
	let probeUnlisten: (() => Promise<void>) | undefined;
	let probeGen = 0;

	const resync = (channel: string) => {
		for (const h of [...(channels.get(channel)?.handlers ?? [])]) {
			try {
				h.onResync?.();
			} catch (error) {
				console.error('[resonance] broadcast: a resync failed', error);
			}
		}
	};

	const listenTo = async (channel: string) => {
		const entry = channels.get(channel);
		if (!entry) return;
		const gen = ++entry.gen;
		let first = true;
		const { unlisten } = await sql.listen(
			channel,
			(message) => {
				if (entry.gen === gen && !closed) deliver(entry.handlers, message);
			},
			() => {
				// The first call is the subscription itself; later ones are postgres.js listening again after a drop.
				if (first) first = false;
				else if (entry.gen === gen && !closed) resync(channel);
			}
		);
		entry.unlisten = unlisten;
	};

	const listenToProbe = async () => {
		const gen = ++probeGen;
		const { unlisten } = await sql.listen(PROBE_CHANNEL, (message) => {
			if (gen === probeGen) probeWaiters.get(message)?.();
		});
		probeUnlisten = unlisten;
	};

	/** Sends a probe to itself; true when it came back in time. */
	const probe = async (): Promise<boolean> => {
		const token = `${probeId}:${++probeSeq}`;
		const arrived = new Promise<boolean>((resolve) => {
			const timer = setTimeout(() => resolve(false), probeTimeoutMs);
			timer.unref?.();
			probeWaiters.set(token, () => {
				clearTimeout(timer);
				resolve(true);
			});
		});
		try {
			await sql.notify(PROBE_CHANNEL, token);
			return await arrived;
		} catch {
			return false;
		} finally {
			probeWaiters.delete(token);
		}
	};

	/** Listens to everything again from scratch, then tells every subscriber to resync. */
	const relisten = async () => {
		await probeUnlisten?.().catch(() => {});
		await listenToProbe();
		for (const [channel, entry] of channels) {
			await entry.unlisten?.().catch(() => {});
			entry.unlisten = undefined;
			await listenTo(channel);
			resync(channel);
		}
	};

	let checking = false;
	const check = async () => {
		if (checking || closed || channels.size === 0) return;
		checking = true;
		try {
			if (!(await probe()) && !closed) await relisten();
		} catch (error) {
			console.error('[resonance] broadcast: listening again failed; next try at the next probe', error);
		} finally {
			checking = false;
		}
	};
	let timer: ReturnType<typeof setInterval> | undefined;

	return {
		async publish(channel, message) {
			checkChannel(channel);
			checkSize(message);
			await sql.notify(channel, message);
		},
		async subscribe(channel, onMessage, onResync) {
			checkChannel(channel);
			const handler: Handler = { onMessage, onResync };
			let entry = channels.get(channel);
			const isNew = !entry;
			if (!entry) channels.set(channel, (entry = { handlers: new Set(), gen: 0 }));
			entry.handlers.add(handler);
			if (!probeUnlisten) await listenToProbe();
			if (isNew) await listenTo(channel);
			if (!timer) {
				timer = setInterval(() => void check(), probeMs);
				timer.unref?.();
			}
			return async () => {
				const current = channels.get(channel);
				if (!current) return;
				current.handlers.delete(handler);
				if (current.handlers.size === 0) {
					channels.delete(channel);
					current.gen++;
					await current.unlisten?.().catch(() => {});
				}
			};
		},
		async close() {
			closed = true;
			if (timer) clearInterval(timer);
			const all = [...channels.values()];
			channels.clear();
			for (const entry of all) {
				entry.gen++;
				await entry.unlisten?.().catch(() => {});
			}
			probeGen++;
			await probeUnlisten?.().catch(() => {});
		}
	};
}
