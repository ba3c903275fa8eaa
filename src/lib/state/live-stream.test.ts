import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveStream, type SourceFactory } from './live-stream.svelte';

type Listener = (event: { data?: string }) => void;

/** A scriptable EventSource. */
class FakeSource {
	listeners = new Map<string, Listener[]>();
	onerror: (() => void) | null = null;
	closed = false;
	constructor(public url: string) {}
	addEventListener(type: string, listener: Listener) {
		this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
	}
	emit(type: string, data?: unknown) {
		for (const l of this.listeners.get(type) ?? [])
			l({ data: data === undefined ? undefined : JSON.stringify(data) });
	}
	close() {
		this.closed = true;
	}
}

afterEach(() => vi.useRealTimers());

describe('live stream', () => {
	it('goes live on data, marks stale on error, reconnects with back-off and clears the badge', () => {
		vi.useFakeTimers();
		const sources: FakeSource[] = [];
		const open: SourceFactory = (url) => {
			const s = new FakeSource(url);
			sources.push(s);
			return s as unknown as ReturnType<SourceFactory>;
		};
		const snapshots: unknown[] = [];
		let clock = 1_000_000;
		const stream = new LiveStream<{ v: number }>({
			onSnapshot: (s) => snapshots.push(s),
			open,
			now: () => clock,
			backoff: { baseMs: 1000, jitter: 0 }
		});
		stream.connect('/api/v1/stream?range=today');
		expect(stream.status).toBe('connecting');
		sources[0].emit('kpis', { v: 1 });
		expect(stream.status).toBe('live');
		expect(snapshots).toEqual([{ v: 1 }]);

		clock += 5000;
		sources[0].onerror?.();
		expect(sources[0].closed).toBe(true);
		expect(stream.status).toBe('reconnecting');
		expect(stream.staleSince).toBe(1_000_000);
		vi.advanceTimersByTime(999);
		expect(sources).toHaveLength(1);
		vi.advanceTimersByTime(1);
		expect(sources).toHaveLength(2);
		// The second attempt fails too: the next waits twice as long; the badge keeps the first time.
		sources[1].onerror?.();
		vi.advanceTimersByTime(1999);
		expect(sources).toHaveLength(2);
		vi.advanceTimersByTime(1);
		expect(sources).toHaveLength(3);
		expect(stream.staleSince).toBe(1_000_000);
		sources[2].emit('kpis', { v: 2 });
		expect(stream.status).toBe('live');
		expect(stream.staleSince).toBeNull();
		expect(stream.attempts).toBe(0);
		stream.close();
		expect(sources[2].closed).toBe(true);
	});

	it('treats a silent connection as dead, and ignores a source it replaced', () => {
		vi.useFakeTimers();
		const sources: FakeSource[] = [];
		const open: SourceFactory = (url) => {
			const s = new FakeSource(url);
			sources.push(s);
			return s as unknown as ReturnType<SourceFactory>;
		};
		const seen: unknown[] = [];
		const stream = new LiveStream({
			onSnapshot: (s) => seen.push(s),
			open,
			silenceMs: 40_000,
			backoff: { jitter: 0 }
		});
		stream.connect('/a');
		sources[0].emit('kpis', 1);
		vi.advanceTimersByTime(30_000);
		sources[0].emit('ping', 1);
		vi.advanceTimersByTime(39_999);
		expect(stream.status).toBe('live');
		vi.advanceTimersByTime(1);
		expect(stream.status).toBe('reconnecting');
		vi.advanceTimersByTime(1000);
		stream.connect('/b');
		expect(sources.at(-1)?.url).toBe('/b');
		sources[0].emit('kpis', 'old');
		expect(seen).toEqual([1]);
		stream.close();
	});
});
