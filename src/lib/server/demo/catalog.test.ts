import { describe, expect, it } from 'vitest';
import { CHANNELS, SEGMENTS } from '$lib/model';
import {
	AGE_BAND_SHARES,
	AGENTS,
	CHANNEL_NAMES,
	QUEUES,
	REASONS,
	REGIONS,
	SEGMENT_INFO,
	TEAM_BY_ID,
	TEAMS,
	onShift
} from './catalog';

describe('catalog', () => {
	it('has about twelve named teams and 150 agents bound to them', () => {
		expect(TEAMS.length).toBeGreaterThanOrEqual(12);
		expect(new Set(TEAMS.map((t) => t.id)).size).toBe(TEAMS.length);
		for (const t of TEAMS) {
			expect(t.id).toMatch(/^t-[a-z0-9]+$/);
			expect(t.zh).toMatch(/[\u4e00-\u9fff]/);
			expect(t.en.length).toBeGreaterThan(2);
			expect(t.channels.length).toBeGreaterThan(0);
		}
		expect(AGENTS.length).toBeGreaterThanOrEqual(140);
		expect(AGENTS.length).toBeLessThanOrEqual(160);
		expect(new Set(AGENTS.map((a) => a.id)).size).toBe(AGENTS.length);
		expect(new Set(AGENTS.map((a) => a.name)).size).toBe(AGENTS.length);
		for (const a of AGENTS) {
			expect(a.id).toMatch(/^a-\d{4}$/);
			expect(a.name).toMatch(/^[\u4e00-\u9fff]{2,3}$/);
			expect(TEAM_BY_ID[a.teamId]).toBeDefined();
		}
	});

	it('staffs every team at every hour of the day or has a fallback, and varies agent skill', () => {
		for (const t of TEAMS) {
			const members = AGENTS.filter((a) => a.teamId === t.id);
			expect(members.length).toBe(t.agents);
			expect(members.some((a) => onShift(a.shift, 10))).toBe(true);
			expect(members.some((a) => onShift(a.shift, 15))).toBe(true);
		}
		const skills = AGENTS.map((a) => a.skill);
		expect(Math.max(...skills) - Math.min(...skills)).toBeGreaterThan(1);
	});

	it('routes every queue to existing teams and names every channel', () => {
		for (const q of QUEUES) for (const t of q.teamIds) expect(TEAM_BY_ID[t]).toBeDefined();
		for (const c of CHANNELS) expect(CHANNEL_NAMES[c].zh).toBeTruthy();
	});

	it('has contact reasons with English ids and both labels', () => {
		expect(REASONS.length).toBeGreaterThanOrEqual(13);
		for (const r of REASONS) {
			expect(r.id).toMatch(/^[a-z_]+$/);
			expect(r.zh).toMatch(/[\u4e00-\u9fff]/);
			expect(TEAM_BY_ID[r.team]).toBeDefined();
		}
		const ids = REASONS.map((r) => r.id);
		for (const id of [
			'card_activation',
			'lost_card',
			'fraud_dispute',
			'bill_inquiry',
			'complaint',
			'app_login'
		])
			expect(ids).toContain(id);
	});

	it('splits segments 85/13/2 and has regions and age bands', () => {
		expect(SEGMENTS.map((s) => SEGMENT_INFO[s].share)).toEqual([0.85, 0.13, 0.02]);
		expect(Object.values(AGE_BAND_SHARES).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
		expect(REGIONS.length).toBeGreaterThan(20);
		for (const r of REGIONS) for (const code of r.areaCodes) expect(code).toMatch(/^\d{6}$/);
	});
});
