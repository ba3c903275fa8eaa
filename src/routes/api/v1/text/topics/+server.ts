import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { storage } from '$lib/server/db';
import { requireUser } from '$lib/server/auth/guard';
import { apiError } from '$lib/server/auth/api-error';
import { restrictTeams, scopeOf } from '$lib/server/auth/scope';
import * as text from '$lib/server/text';
import { parseTextParams } from '$lib/server/text/params';

/**
 * GET /api/v1/text/topics?from=&to=&segment=&journey=&channel=&team=
 * → {"from","to","total","unassigned","sentiment":{…},"days":[…],"topics":[{"id","label","keywords":[…],"count",
 * "sentiment",…}],"emerging":[…]} (DESIGN.md). `sentiment` of a topic is its mean −1…1; a manager sees their teams.
 */
export const GET: RequestHandler = async ({ locals, url }) => {
	const user = requireUser(locals);
	const parsed = parseTextParams(url.searchParams);
	if (!parsed.ok) return apiError(400, parsed.message, 'invalid_parameter', { parameter: parsed.parameter });
	const q = parsed.query;
	const teams = restrictTeams(scopeOf(user), q.requestedTeams);
	const db = storage();
	await text.ensureTextIndex(db);
	const query = { from: q.from, to: q.to, segment: q.segment, journey: q.journey, channel: q.channel, teams };
	const report = await text.topics(db, query);
	return json(
		{
			from: new Date(report.from).toISOString(),
			to: new Date(report.to).toISOString(),
			total: report.total,
			unassigned: report.unassigned,
			sentiment: report.sentiment,
			days: report.days,
			topics: report.topics.map((t) => ({
				id: t.id,
				label: t.label,
				keywords: t.keywords,
				count: t.count,
				share: t.share,
				sentiment: t.sentiment,
				sentimentIndex: t.sentimentSummary,
				nps: t.nps,
				trend: t.trend,
				tags: t.tags,
				growth: t.growth,
				emerging: t.emerging
			})),
			emerging: await text.emergingTopics(db, { ...query, to: q.to }),
			model: report.model && {
				version: report.model.version,
				fittedAt: new Date(report.model.fittedAt).toISOString()
			}
		},
		{ headers: { 'cache-control': 'no-store' } }
	);
};
