import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { requireUser } from '$lib/server/auth/guard';
import { restrictTeams, scopeOf } from '$lib/server/auth/scope';
import { storage } from '$lib/server/db';
import { SENTIMENT_BAND } from '$lib/model';
import * as text from '$lib/server/text';

/** Voice of the customer: topics, emerging topics, keyword trends, tag breakdowns and the comment explorer. */
export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireUser(locals);
	const parsed = text.parseTextParams(url.searchParams);
	if (!parsed.ok) error(400, { code: 'invalid_parameter', message: parsed.message });
	const { requestedTeams, ...q } = parsed.query;
	// 30 comments a page on the screen unless the link asks for another size.
	const limit = url.searchParams.has('limit') ? q.limit : 30;
	const teams = restrictTeams(scopeOf(user), requestedTeams);
	const db = storage();
	await text.ensureTextIndex(db);
	const base = { from: q.from, to: q.to, segment: q.segment, journey: q.journey, channel: q.channel, teams };
	const report = await text.topics(db, base);
	const labels = new Map((await text.getTagRules(db)).map((r) => [r.id, { zh: r.label, en: r.labelEn }]));
	const breakdown = async (tag: text.TagKind) =>
		(await text.tagRuleCounts(db, base, tag))
			.slice(0, 8)
			.map((r) => ({ ...r, label: labels.get(r.rule) ?? { zh: r.rule, en: r.rule } }));
	return {
		query: { ...q, limit },
		neutralBand: SENTIMENT_BAND,
		report: { ...report, topics: report.topics.map(({ sentimentSummary: _, ...t }) => t) },
		emerging: report.topics
			.filter((t) => t.emerging)
			.map((t) => ({ id: t.id, label: t.label, growth: t.growth })),
		trends: await text.keywordTrends(db, { ...base, limit: 8 }),
		tagCounts: await text.tagCounts(db, base),
		breakdowns: {
			competitor: await breakdown('competitor'),
			lead: await breakdown('lead'),
			risk: await breakdown('risk')
		},
		journeys: await text.textJourneys(db),
		comments: await text.comments(db, { ...q, ...base, limit })
	};
};
