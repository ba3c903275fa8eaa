import { afterEach, describe, expect, it } from 'vitest';
import { runExclusive } from '$lib/server/db/jobs';
import { createRelay } from '$lib/server/live/relay';
import { twoProcessesOnPostgres, type TwoProcesses } from '$lib/server/live/testing';
import { testEngines } from '$lib/server/testing/postgres';
import { until } from '$lib/server/testing/wait';
import {
	followIncidentSwitch,
	incidentSwitch,
	SIMULATOR_JOB,
	simulatorRunning,
	switchIncident
} from './incident';
import { startSimulator, type Simulator } from './simulator';

/** A simulator that produces nothing (so it never posts): only its switch matters here. */
function idleSimulator(): Simulator {
	return startSimulator({
		produce: () => [],
		target: 'http://127.0.0.1:9/',
		writeKey: 'none',
		intervalMs: 60_000
	});
}

const T = Date.UTC(2026, 11, 7, 10);

describe.each(testEngines)('the incident switch on $engine', ({ open }) => {
	const cleanup: (() => Promise<void> | void)[] = [];
	afterEach(async () => {
		for (const step of cleanup.reverse()) await step();
		cleanup.length = 0;
	});

	it('is kept in the database, with since when and by whom, and reaches the simulator it follows', async () => {
		const { storage, close } = await open();
		cleanup.push(close);
		const relay = createRelay();
		expect(await incidentSwitch(storage)).toEqual({ on: false, since: null, by: null });
		const simulator = idleSimulator();
		cleanup.push(() => simulator.stop());
		const follow = followIncidentSwitch(storage, simulator, relay);
		cleanup.push(follow.stop);
		await follow.ready;
		expect(simulator.incident()).toBe(false);

		expect(await switchIncident(storage, true, 'ops@bank.cn', { now: T, relay })).toEqual({
			on: true,
			since: T,
			by: 'ops@bank.cn'
		});
		await until(() => simulator.incident());
		expect(await incidentSwitch(storage)).toEqual({ on: true, since: T, by: 'ops@bank.cn' });
		// Pressing it to the state it is in changes nothing, its time included.
		expect(await switchIncident(storage, true, 'other@bank.cn', { now: T + 5_000, relay })).toEqual({
			on: true,
			since: T,
			by: 'ops@bank.cn'
		});
		await switchIncident(storage, false, 'ops@bank.cn', { now: T + 60_000, relay });
		await until(() => !simulator.incident());
		expect(await incidentSwitch(storage)).toEqual({ on: false, since: T + 60_000, by: 'ops@bank.cn' });
		// A simulator that starts later (a restart, a takeover) starts from the stored switch.
		await switchIncident(storage, true, 'ops@bank.cn', { now: T + 120_000, relay });
		const later = idleSimulator();
		cleanup.push(() => later.stop());
		const followLater = followIncidentSwitch(storage, later, relay);
		cleanup.push(followLater.stop);
		await followLater.ready;
		expect(later.incident()).toBe(true);
		// No simulator elsewhere on a SQLite file (one server process); here, the one this process runs.
		expect(await simulatorRunning(storage, true)).toBe(true);
		if (storage.engine === 'sqlite') expect(await simulatorRunning(storage, false)).toBe(false);
	});
});

describe('the incident switch with two processes on one PostgreSQL', () => {
	let opened: TwoProcesses | undefined;
	afterEach(async () => {
		await opened?.close();
		opened = undefined;
	});

	it(
		'pressed on B, acts on the simulator A runs; both show the same state',
		{ timeout: 60_000 },
		async () => {
			opened = await twoProcessesOnPostgres();
			const { a, b, relayA, relayB } = opened;
			expect(await simulatorRunning(b, false)).toBe(false);

			// A runs the simulator, holding its lock as demo/run.ts does, and follows the switch.
			const simulator = idleSimulator();
			let release!: () => void;
			let started!: () => void;
			const isRunning = new Promise<void>((resolve) => (started = resolve));
			const holding = runExclusive(a, SIMULATOR_JOB, async () => {
				const follow = followIncidentSwitch(a, simulator, relayA);
				await follow.ready;
				started();
				await new Promise<void>((resolve) => (release = resolve));
				follow.stop();
			});
			await isRunning;
			// B sees a simulator running (in A), though none runs in B.
			expect(await simulatorRunning(b, false)).toBe(true);

			await switchIncident(b, true, 'b@bank.cn', { now: T, relay: relayB });
			await until(() => simulator.incident());
			const on = { on: true, since: T, by: 'b@bank.cn' };
			expect(await incidentSwitch(a)).toEqual(on);
			expect(await incidentSwitch(b)).toEqual(on);

			await switchIncident(b, false, 'b@bank.cn', { now: T + 30_000, relay: relayB });
			await until(() => !simulator.incident());
			expect(await incidentSwitch(a)).toEqual({ on: false, since: T + 30_000, by: 'b@bank.cn' });

			// Once A stops its simulator, B sees none running.
			release();
			expect((await holding).ran).toBe(true);
			simulator.stop();
			await until(async () => !(await simulatorRunning(b, false)));
		}
	);
});
