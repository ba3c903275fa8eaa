import { describe, expect, it } from 'vitest';
import {
	BUSY_FRAMES_PER_SECOND,
	CHECKPOINT_IDLE_INTERVAL_MS,
	CHECKPOINT_INTERVAL_MS,
	framesSinceLastPass,
	nextCheckpointDelay
} from './checkpointer';

const next = (delay: number, frames: number) =>
	nextCheckpointDelay(
		delay,
		frames,
		CHECKPOINT_INTERVAL_MS,
		CHECKPOINT_IDLE_INTERVAL_MS,
		BUSY_FRAMES_PER_SECOND
	);

describe('the checkpointer schedule', () => {
	it('keeps a quarter second while the writer is busy, and comes back to it on the first busy pass', () => {
		// 20k events/s writes thousands of frames a second.
		expect(next(CHECKPOINT_INTERVAL_MS, 2_000)).toBe(CHECKPOINT_INTERVAL_MS);
		expect(next(CHECKPOINT_IDLE_INTERVAL_MS, 5_000)).toBe(CHECKPOINT_INTERVAL_MS);
	});

	it('backs off, doubling up to the idle interval, while few frames arrive (a live simulator)', () => {
		const delays = [CHECKPOINT_INTERVAL_MS];
		// ~100 frames a second: far below the busy rate.
		for (let i = 0; i < 5; i++) delays.push(next(delays.at(-1)!, delays.at(-1)! / 10));
		expect(delays).toEqual([250, 500, 1_000, 2_000, 2_000, 2_000]);
		expect(next(CHECKPOINT_IDLE_INTERVAL_MS, 0)).toBe(CHECKPOINT_IDLE_INTERVAL_MS);
	});

	it('judges by the rate, not the count: the same frames over a longer wait are not busy', () => {
		const frames = BUSY_FRAMES_PER_SECOND / 2;
		expect(next(500, frames)).toBe(CHECKPOINT_INTERVAL_MS);
		expect(next(1_000, frames)).toBe(CHECKPOINT_IDLE_INTERVAL_MS);
	});

	it('runs from its source text alone, as the thread runs it', () => {
		const alone = new Function(`return (${nextCheckpointDelay.toString()})`)() as typeof nextCheckpointDelay;
		expect(alone(1_000, 10, 250, 2_000, 1_000)).toBe(2_000);
		expect(alone(1_000, 5_000, 250, 2_000, 1_000)).toBe(250);
	});

	it('counts the frames added since the last pass, across the WAL restarts that follow a complete pass', () => {
		// Readers kept the last pass from copying everything: the WAL was not restarted, only grown.
		expect(framesSinceLastPass({ log: 2_100, copied: 1_500 }, 2_600)).toBe(500);
		// The last pass copied everything: the writer restarted the WAL, so every frame of it is new, even when it has
		// grown past the old count (under steady load it does about half the time).
		expect(framesSinceLastPass({ log: 2_100, copied: 2_100 }, 2_200)).toBe(2_200);
		expect(framesSinceLastPass({ log: 2_100, copied: 2_100 }, 1_900)).toBe(1_900);
		// Nothing written since: an unchanged WAL is not counted again.
		expect(framesSinceLastPass({ log: 2_100, copied: 2_100 }, 2_100)).toBe(0);
		const alone = new Function(`return (${framesSinceLastPass.toString()})`)() as typeof framesSinceLastPass;
		expect(alone({ log: 40, copied: 40 }, 300)).toBe(300);
	});
});
