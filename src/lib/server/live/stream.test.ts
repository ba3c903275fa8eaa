import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSnapshotHub, formatSse, sseResponse, type SnapshotHub } from './stream';

let hub: SnapshotHub | undefined;
afterEach(() => {
	hub?.stop();
	vi.useRealTimers();
});

describe('snapshot hub', () => {
	it('sends a snapshot on subscribe, then coalesces many commits into one snapshot per interval per key', () => {
		vi.useFakeTimers();
		const compute = vi.fn((key: string) => ({ key, at: Date.now() }));
		hub = createSnapshotHub({ compute, intervalMs: 1000, tickMs: 100 });
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
		expect(a.length).toBeGreaterThanOrEqual(2);
		expect(compute.mock.calls.filter(([key]) => key === 'wallboard').length).toBeLessThanOrEqual(3);

		const before = compute.mock.calls.length;
		vi.advanceTimersByTime(5000);
		expect(compute.mock.calls.length).toBe(before);
		expect(hub.viewers()).toBe(3);
	});

	it('stops computing for a key when its last viewer leaves, and broadcasts to a filtered audience', () => {
		vi.useFakeTimers();
		const compute = vi.fn(() => 1);
		hub = createSnapshotHub({ compute, intervalMs: 100, tickMs: 50 });
		const alerts: string[] = [];
		const leave = hub.subscribe('x', () => {});
		hub.subscribe('team:t2', (event, data) => event === 'alert' && alerts.push(String(data)));
		leave();
		const before = compute.mock.calls.length;
		hub.markDirty();
		vi.advanceTimersByTime(500);
		expect(compute.mock.calls.length).toBe(before + 1);
		hub.broadcast('alert', 'sla', (key) => key === 'team:t2');
		hub.broadcast('alert', 'other', (key) => key === 'team:t9');
		expect(alerts).toEqual(['sla']);
	});
});

describe('SSE formatting', () => {
	it('writes events and heartbeats in the wire format', async () => {
		expect(formatSse('kpis', { a: 1 })).toBe('event: kpis\ndata: {"a":1}\n\n');
		expect(formatSse('', null)).toBe(': ping\n\n');
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
});
