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
	it('sends a snapshot on subscribe, then coalesces many commits into one snapshot per interval per key', () => {
		vi.useFakeTimers();
		const compute = vi.fn((key: string) => ({ key, at: Date.now() }));
		hub = createSnapshotHub({ compute, intervalMs: 1000 });
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

		for (let i = 0; i < 50; i++) hub.markDirty();
		vi.advanceTimersByTime(1000);
		expect(a.length).toBe(b.length);
		expect(a.length).toBe(2);
		expect(compute.mock.calls.filter(([key]) => key === 'wallboard').length).toBe(2);

		const before = compute.mock.calls.length;
		vi.advanceTimersByTime(5000);
		expect(compute.mock.calls.length).toBe(before);
		expect(hub.viewers()).toBe(3);
		expect(hub.keys().sort()).toEqual(['team:t1', 'wallboard']);
	});

	it('computes at once after a quiet spell, and at the end of the interval during a burst', () => {
		vi.useFakeTimers();
		const sent: number[] = [];
		hub = createSnapshotHub({ compute: () => Date.now(), intervalMs: 1000 });
		const t0 = Date.now();
		hub.subscribe('k', (event, data) => event === 'kpis' && sent.push((data as number) - t0));
		expect(sent).toEqual([0]);
		// A commit 300 ms later waits for the interval: sent at 1000 ms, covering every commit until then.
		vi.advanceTimersByTime(300);
		hub.markDirty();
		vi.advanceTimersByTime(400);
		hub.markDirty();
		vi.advanceTimersByTime(299);
		expect(sent).toEqual([0]);
		vi.advanceTimersByTime(1);
		expect(sent).toEqual([0, 1000]);
		// After a quiet spell, the next commit is sent on the next turn of the event loop.
		vi.advanceTimersByTime(4000);
		hub.markDirty();
		vi.advanceTimersByTime(0);
		expect(sent).toEqual([0, 1000, 5000]);
		// Under a steady stream of commits, snapshots go out once a second and never more often.
		for (let t = 0; t < 3000; t += 50) {
			hub.markDirty();
			vi.advanceTimersByTime(50);
		}
		const gaps = sent.slice(3).map((v, i) => v - sent[i + 2]);
		expect(gaps.length).toBeGreaterThanOrEqual(2);
		expect(gaps.every((g) => g === 1000)).toBe(true);
	});

	it('stops computing for a key when its last viewer leaves, and broadcasts to a filtered audience', () => {
		vi.useFakeTimers();
		const compute = vi.fn(() => 1);
		hub = createSnapshotHub({ compute, intervalMs: 100 });
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
			intervalMs: 100,
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
});
