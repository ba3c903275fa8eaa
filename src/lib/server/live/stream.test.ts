import { afterEach, describe, expect, it, vi } from 'vitest';
import {
	closeAllStreams,
	createSnapshotHub,
	encodeSse,
	formatSse,
	sseResponse,
	type SnapshotHub
} from './stream';

let hub: SnapshotHub | undefined;
afterEach(() => {
	hub?.stop();
	vi.useRealTimers();
});

describe('snapshot hub', () => {
	it('sends a snapshot on subscribe, then one snapshot per burst of commits per key, within the window', () => {
		vi.useFakeTimers();
		let version = 0;
		const compute = vi.fn((key: string) => ({ key, version }));
		hub = createSnapshotHub({ compute, windowMs: 100, minGapMs: 200 });
		const a: unknown[] = [];
		const b: unknown[] = [];
		const c: unknown[] = [];
		hub.subscribe('wallboard', (event, data) => event === 'kpis' && a.push(data));
		hub.subscribe('wallboard', (event, data) => event === 'kpis' && b.push(data));
		hub.subscribe('team:t1', (event, data) => event === 'kpis' && c.push(data));
		expect(a).toHaveLength(1);
		// The second viewer of the same key gets the snapshot just computed, not a recomputation.
		expect(b).toEqual(a);
		expect(compute).toHaveBeenCalledTimes(2);

		// A burst of 50 commits inside the window: one snapshot per key, 100 ms after the first commit.
		vi.advanceTimersByTime(1000);
		version = 1;
		for (let i = 0; i < 50; i++) {
			hub.markDirty();
			vi.advanceTimersByTime(1);
		}
		expect(a).toHaveLength(1);
		vi.advanceTimersByTime(49);
		expect(a).toHaveLength(1);
		vi.advanceTimersByTime(1);
		expect(a).toEqual([
			{ key: 'wallboard', version: 0 },
			{ key: 'wallboard', version: 1 }
		]);
		expect(b).toEqual(a);
		expect(c).toHaveLength(2);
		expect(compute.mock.calls.filter(([key]) => key === 'wallboard').length).toBe(2);

		// Quiet: nothing is computed.
		const before = compute.mock.calls.length;
		vi.advanceTimersByTime(5000);
		expect(compute.mock.calls.length).toBe(before);
		expect(hub.viewers()).toBe(3);
		expect(hub.keys().sort()).toEqual(['team:t1', 'wallboard']);
	});

	it('bounds the rate under a steady stream of commits, and does not resend an unchanged snapshot', () => {
		vi.useFakeTimers();
		const sent: number[] = [];
		const computedAt: number[] = [];
		let value = 0;
		const t0 = Date.now();
		hub = createSnapshotHub({
			compute: () => {
				computedAt.push(Date.now() - t0);
				return { at: Date.now(), value };
			},
			windowMs: 100,
			minGapMs: 200,
			// What a viewer sees: the value, not the time it was computed.
			fingerprint: (s) => String(s.value)
		});
		hub.subscribe('k', (event, data) => event === 'kpis' && sent.push((data as { at: number }).at - t0));
		expect(sent).toEqual([0]);
		// A commit 30 ms later: its window closes at 130 ms, but the key was computed at 0, so not before 200 ms.
		vi.advanceTimersByTime(30);
		value = 1;
		hub.markDirty();
		vi.advanceTimersByTime(169);
		expect(sent).toEqual([0]);
		vi.advanceTimersByTime(1);
		expect(sent).toEqual([0, 200]);
		// A commit that changes nothing the viewer sees: computed, not sent.
		vi.advanceTimersByTime(800);
		hub.markDirty();
		vi.advanceTimersByTime(100);
		expect(computedAt.at(-1)).toBe(1100);
		expect(sent).toEqual([0, 200]);
		// A commit every 10 ms for 3 s: a snapshot every 200 ms at most, each covering the commits before it.
		for (let t = 0; t < 3000; t += 10) {
			value++;
			hub.markDirty();
			vi.advanceTimersByTime(10);
		}
		const computations = computedAt.filter((t) => t > 1100);
		const gaps = computations.slice(1).map((t, i) => t - computations[i]);
		expect(computations.length).toBeGreaterThanOrEqual(14);
		expect(computations.length).toBeLessThanOrEqual(15);
		expect(gaps.every((g) => g >= 200)).toBe(true);
		// The last commit of the stream still reaches the viewer.
		vi.advanceTimersByTime(300);
		expect(sent.length).toBe(computedAt.length - 1);
	});

	it('gives a new viewer the last snapshot even when an unchanged recomputation is under way', async () => {
		vi.useFakeTimers();
		let release: (() => void) | undefined;
		let computations = 0;
		hub = createSnapshotHub({
			compute: () => {
				computations++;
				return new Promise<string>((resolve) => (release = () => resolve('same')));
			},
			windowMs: 100,
			reuseMs: 1000
		});
		const first: unknown[] = [];
		hub.subscribe('k', (event, data) => event === 'kpis' && first.push(data));
		release?.();
		await vi.advanceTimersByTimeAsync(0);
		expect(first).toEqual(['same']);
		// Later (the last snapshot is stale for a new viewer), a commit's computation is under way when a viewer comes.
		await vi.advanceTimersByTimeAsync(2000);
		hub.markDirty();
		await vi.advanceTimersByTimeAsync(100);
		const second: unknown[] = [];
		hub.subscribe('k', (event, data) => event === 'kpis' && second.push(data));
		release?.();
		await vi.advanceTimersByTimeAsync(0);
		// The new viewer gets it although it is unchanged; the first viewer is sent it again, harmlessly.
		expect(second).toEqual(['same']);
		expect(computations).toBe(2);
		// A commit during a computation is covered by one more computation, at once when it ends.
		await vi.advanceTimersByTimeAsync(500);
		hub.markDirty();
		await vi.advanceTimersByTimeAsync(100);
		expect(computations).toBe(3);
		hub.markDirty();
		hub.markDirty();
		await vi.advanceTimersByTimeAsync(500);
		expect(computations).toBe(3);
		release?.();
		await vi.advanceTimersByTimeAsync(0);
		expect(computations).toBe(4);
		release?.();
		await vi.advanceTimersByTimeAsync(1000);
		expect(computations).toBe(4);
		expect(second).toEqual(['same']);
	});

	it('stops computing for a key when its last viewer leaves, and broadcasts to a filtered audience', () => {
		vi.useFakeTimers();
		const compute = vi.fn(() => 1);
		hub = createSnapshotHub({ compute, minGapMs: 100 });
		const alerts: string[] = [];
		const leave = hub.subscribe('x', () => {});
		hub.subscribe('team:t2', (event, data) => event === 'alert' && alerts.push(String(data)));
		hub.markDirty();
		leave();
		const before = compute.mock.calls.length;
		hub.markDirty();
		vi.advanceTimersByTime(500);
		expect(compute.mock.calls.length).toBe(before + 1);
		expect(compute.mock.calls.at(-1)).toEqual(['team:t2']);
		hub.broadcast('alert', 'sla', (key) => key === 'team:t2');
		hub.broadcast('alert', 'other', (key) => key === 'team:t9');
		expect(alerts).toEqual(['sla']);
	});

	it('sends heartbeats as a named event when asked, and survives a failing computation', () => {
		vi.useFakeTimers();
		const errors: unknown[] = [];
		let fail = true;
		hub = createSnapshotHub({
			compute: () => {
				if (fail) throw new Error('boom');
				return 'ok';
			},
			minGapMs: 100,
			heartbeatMs: 1000,
			heartbeatEvent: 'ping',
			onError: (error) => errors.push(error)
		});
		const events: string[] = [];
		hub.subscribe('k', (event) => events.push(event));
		expect(errors).toHaveLength(1);
		fail = false;
		hub.markDirty();
		vi.advanceTimersByTime(1000);
		expect(events).toEqual(['kpis', 'ping']);
	});
});

describe('SSE formatting', () => {
	it('writes events and heartbeats in the wire format', async () => {
		expect(formatSse('kpis', { a: 1 })).toBe('event: kpis\ndata: {"a":1}\n\n');
		expect(formatSse('', null)).toBe(': ping\n\n');
		// A snapshot sent to many viewers is serialised once.
		const snapshot = { big: 'x'.repeat(1000) };
		expect(encodeSse('kpis', snapshot)).toBe(encodeSse('kpis', snapshot));
		expect(new TextDecoder().decode(encodeSse('ping', 5))).toBe('event: ping\ndata: 5\n\n');
		let cleaned = false;
		const response = sseResponse((send) => {
			send('kpis', { v: 2 });
			return () => {
				cleaned = true;
			};
		});
		expect(response.headers.get('content-type')).toContain('text/event-stream');
		const reader = response.body!.getReader();
		let text = '';
		while (!text.includes('"v":2')) text += new TextDecoder().decode((await reader.read()).value);
		expect(text).toContain('retry: 2000');
		await reader.cancel();
		expect(cleaned).toBe(true);
	});

	it('ends every open stream at shutdown with a retry hint, detaching its viewer', async () => {
		let detached = 0;
		const responses = [1, 2].map(() =>
			sseResponse(() => () => {
				detached++;
			})
		);
		expect(closeAllStreams(3000)).toBe(2);
		for (const response of responses) {
			const reader = response.body!.getReader();
			let text = '';
			for (let r = await reader.read(); !r.done; r = await reader.read())
				text += new TextDecoder().decode(r.value);
			expect(text).toBe('retry: 2000\n\nretry: 3000\n\n');
		}
		expect(detached).toBe(2);
		expect(closeAllStreams(3000)).toBe(0);
	});

	it('asks once per interval for all the streams of one identity, and ends them all on a "no"', async () => {
		vi.useFakeTimers();
		let allowed = true;
		const wall = vi.fn(() => allowed);
		const other = vi.fn(() => true);
		const detached = { wall: 0, other: 0 };
		const open = (key: string, recheck: () => boolean, who: 'wall' | 'other') =>
			sseResponse(() => () => void detached[who]++, { recheck, recheckMs: 3000, recheckKey: key });
		// 20 screens of one session (each route builds its own check: the first stream's serves the group).
		const walls = Array.from({ length: 20 }, () => open('session-1', () => wall(), 'wall'));
		const others = [open('session-2', other, 'other')];
		const readers = [...walls, ...others].map((r) => r.body!.getReader());
		for (const reader of readers) await reader.read(); // the retry line

		await vi.advanceTimersByTimeAsync(3 * 3000);
		// Three intervals: three questions for the 20 screens (one per screen and interval before), three for the other.
		expect(wall).toHaveBeenCalledTimes(3);
		expect(other).toHaveBeenCalledTimes(3);

		// A screen leaving does not stop the others' check.
		await readers[0].cancel();
		await vi.advanceTimersByTimeAsync(3000);
		expect(wall).toHaveBeenCalledTimes(4);

		// Signed out: every screen of the session ends at the next check; the other identity's stream stays open.
		allowed = false;
		await vi.advanceTimersByTimeAsync(3000);
		for (const reader of readers.slice(1, 20)) expect((await reader.read()).done).toBe(true);
		expect(detached).toEqual({ wall: 20, other: 0 });
		// The group is gone with its streams: no more questions for it.
		await vi.advanceTimersByTimeAsync(3 * 3000);
		expect(wall).toHaveBeenCalledTimes(5);
		expect(other).toHaveBeenCalledTimes(8);
		await readers[20].cancel();
		expect(detached.other).toBe(1);
	});

	it('rechecks a stream without an identity on its own, apart from every identity, whatever its key', async () => {
		vi.useFakeTimers();
		const lone = vi.fn(() => false);
		const keyed = vi.fn(() => true);
		let detached = 0;
		// Keys shaped like the ones a stream of its own gets could not make it share another's check.
		const loneStream = sseResponse(() => () => void detached++, { recheck: lone, recheckMs: 3000 });
		const keyedStreams = ['1', 'stream:1', 'stream:2'].map((recheckKey) =>
			sseResponse(() => () => undefined, { recheck: keyed, recheckMs: 3000, recheckKey })
		);
		const readers = [loneStream, ...keyedStreams].map((r) => r.body!.getReader());
		for (const reader of readers) await reader.read();

		await vi.advanceTimersByTimeAsync(3000);
		expect(lone).toHaveBeenCalledTimes(1);
		expect(keyed).toHaveBeenCalledTimes(3);
		expect((await readers[0].read()).done).toBe(true);
		expect(detached).toBe(1);
		// Its "no" ended it alone; the others are asked again at the next interval, and it is not.
		await vi.advanceTimersByTimeAsync(3000);
		expect(lone).toHaveBeenCalledTimes(1);
		expect(keyed).toHaveBeenCalledTimes(6);
		for (const reader of readers.slice(1)) await reader.cancel();
	});
});
