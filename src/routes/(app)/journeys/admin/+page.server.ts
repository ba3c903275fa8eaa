import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { requireRole } from '$lib/server/auth/guard';
import { clientIp } from '$lib/server/auth/request';
import { storage } from '$lib/server/db';
import * as journeys from '$lib/server/journeys';

/** Journey definitions and the mapping of incoming event names to steps (admin). */
export const load: PageServerLoad = async ({ locals, url }) => {
	requireRole(locals, 'admin');
	const db = storage();
	const records = await journeys.listJourneys(db, { includeDisabled: true });
	const editKey = url.searchParams.get('edit');
	const editing = editKey ? (records.find((r) => r.definition.key === editKey) ?? null) : null;
	return {
		journeys: records.map((r) => ({
			key: r.definition.key,
			name: r.definition.name,
			enabled: r.definition.enabled,
			builtIn: r.builtIn,
			version: r.version,
			updatedAt: r.updatedAt,
			updatedBy: r.updatedBy,
			steps: r.definition.steps.map((s) => ({ key: journeys.stepKey(s), events: s.events })),
			windowHours: r.definition.windowHours
		})),
		form: editing ? journeys.definitionForm(editing.definition) : null,
		names: await journeys.eventNameVolumes(db, { limit: 300 }),
		mappings: await journeys.listMappings(db),
		restitch: await journeys.restitchStatus(db)
	};
};

const Save = z.object({
	mode: z.enum(['create', 'edit']),
	key: z.string().trim().max(48),
	nameZh: z.string().trim().max(100),
	nameEn: z.string().trim().max(100),
	steps: z.string().max(5000),
	success: z.string().max(2000),
	failure: z.string().max(2000).default(''),
	labels: z.string().max(10_000).default(''),
	windowDays: z.coerce.number().positive().max(366),
	enabled: z.string().optional()
});
const MapForm = z.object({
	eventName: z.string().trim().min(1).max(200),
	target: z.string().regex(/^[a-z][a-z0-9_]*:.+$/)
});
const Unmap = z.object({ eventName: z.string().min(1).max(200), journeyKey: z.string().min(1).max(48) });

export const actions: Actions = {
	save: async (event) => {
		const { locals, request } = event;
		const admin = requireRole(locals, 'admin');
		const form = Object.fromEntries(await request.formData());
		const parsed = Save.safeParse(form);
		if (!parsed.success) {
			const field = String(parsed.error.issues[0]?.path[0] ?? 'form');
			return fail(400, {
				action: 'save',
				field,
				message: `${field}: ${parsed.error.issues[0]?.message ?? ''}`,
				values: form
			});
		}
		const d = parsed.data;
		const db = storage();
		try {
			const saved = await journeys.saveJourney(
				db,
				{
					key: d.key,
					name: { zh: d.nameZh, en: d.nameEn },
					steps: journeys.parseStepLines(d.steps),
					success: journeys.parseEndConditions(d.success),
					failure: journeys.parseEndConditions(d.failure),
					labels: journeys.parseLabelLines(d.labels),
					windowHours: d.windowDays * 24,
					enabled: d.enabled === 'on'
				},
				admin.email,
				{
					create: d.mode === 'create',
					audit: { actor: { id: admin.id, email: admin.email }, ip: clientIp(event) }
				}
			);
			void journeys.restitchInBackground(db, { journeys: [saved.definition.key] });
			return { action: 'save', done: true, key: saved.definition.key };
		} catch (error) {
			if (!(error instanceof journeys.JourneyValidationError)) throw error;
			const issue = error.issues[0];
			return fail(400, {
				action: 'save',
				field: issue?.path ?? 'form',
				message: issue ? `${issue.path}: ${issue.message}` : error.message,
				values: form
			});
		}
	},
	map: async (event) => {
		const { locals, request } = event;
		const admin = requireRole(locals, 'admin');
		const parsed = MapForm.safeParse(Object.fromEntries(await request.formData()));
		if (!parsed.success)
			return fail(400, { action: 'map', field: 'target', message: 'target: choose a step' });
		const colon = parsed.data.target.indexOf(':');
		const mapping = {
			eventName: parsed.data.eventName,
			journeyKey: parsed.data.target.slice(0, colon),
			stepEvent: parsed.data.target.slice(colon + 1)
		};
		const db = storage();
		try {
			await journeys.mapEventName(db, mapping, admin.email, Date.now(), {
				actor: { id: admin.id, email: admin.email },
				ip: clientIp(event)
			});
		} catch (error) {
			if (!(error instanceof journeys.JourneyValidationError)) throw error;
			return fail(400, {
				action: 'map',
				field: 'target',
				message: error.issues[0]?.message ?? error.message
			});
		}
		void journeys.restitchInBackground(db, { journeys: [mapping.journeyKey] });
		return { action: 'map', done: true, key: mapping.journeyKey };
	},
	unmap: async (event) => {
		const { locals, request } = event;
		const admin = requireRole(locals, 'admin');
		const parsed = Unmap.safeParse(Object.fromEntries(await request.formData()));
		if (!parsed.success)
			return fail(400, { action: 'unmap', field: 'eventName', message: 'eventName: required' });
		const db = storage();
		await journeys.unmapEventName(db, parsed.data.eventName, parsed.data.journeyKey, {
			actor: { id: admin.id, email: admin.email },
			ip: clientIp(event)
		});
		void journeys.restitchInBackground(db, { journeys: [parsed.data.journeyKey] });
		return { action: 'unmap', done: true, key: parsed.data.journeyKey };
	},
	restitch: async ({ locals }) => {
		requireRole(locals, 'admin');
		void journeys.restitchInBackground(storage(), { recountNames: true });
		return { action: 'restitch', done: true, key: null };
	}
};
