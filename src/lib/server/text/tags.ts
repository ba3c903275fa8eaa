import { z } from 'zod';
import { foldWidth } from './segment';

/**
 * Tag kinds, after the source article's 意见建议 (suggestions), 商机线索 (sales leads) and 竞争性情报 (competitive
 * intelligence), plus risk words that a regulator complaint or a public incident tends to start with.
 */
export const TAG_KINDS = ['suggestion', 'lead', 'competitor', 'risk'] as const;
export type TagKind = (typeof TAG_KINDS)[number];

/** Bits of `text_docs.tag_mask`, so a filter by kind is `tag_mask & bit`. */
export const TAG_BITS: Readonly<Record<TagKind, number>> = { suggestion: 1, lead: 2, competitor: 4, risk: 8 };

const phrases = z.array(z.string().trim().min(1).max(40)).max(200);

/** An editable tagging rule. Phrases match case-insensitively; ASCII words and numbers match whole only. */
export const tagRuleSchema = z.object({
	/** Stable id, e.g. `competitor.icbc`; letters, digits, '.', '_' and '-'. */
	id: z
		.string()
		.trim()
		.regex(/^[a-z0-9][a-z0-9._-]{0,63}$/i),
	tag: z.enum(TAG_KINDS),
	label: z.string().trim().min(1).max(60),
	labelEn: z.string().trim().min(1).max(60),
	/** The rule matches where any of these occurs … */
	any: phrases.min(1),
	/** … and, when this list is not empty, one of these occurs in the same sentence … */
	with: phrases.default([]),
	/** … and none of these occurs in that sentence. */
	not: phrases.default([]),
	enabled: z.boolean().default(true)
});
export type TagRule = z.output<typeof tagRuleSchema>;
export type TagRuleInput = z.input<typeof tagRuleSchema>;

/** One place a rule matched. Offsets are UTF-16 offsets into the text. */
export interface TagHit {
	tag: TagKind;
	rule: string;
	label: string;
	labelEn: string;
	start: number;
	end: number;
}

const LEAD_INTENT = [
	'想',
	'想要',
	'打算',
	'准备',
	'考虑',
	'了解',
	'咨询',
	'申请',
	'办理',
	'想办',
	'要办',
	'开通',
	'升级',
	'推荐',
	'购买',
	'买点',
	'有没有',
	'感兴趣',
	'怎么申请',
	'能不能办',
	'能不能',
	'interested',
	'want',
	'would like',
	'apply',
	'upgrade',
	'looking for',
	'how do i get',
	'how to get'
];
const LEAD_NOT = [
	'不想',
	'不需要',
	'不要',
	'没兴趣',
	'不感兴趣',
	'别再',
	'推销',
	'骚扰',
	'被拒',
	'拒绝',
	'失败',
	'亏',
	'投诉',
	'挂失',
	'注销',
	'销户',
	'取消',
	'提前还',
	'not interested',
	"don't want",
	'stop calling'
];

const rule = (r: TagRuleInput): TagRuleInput => r;

/** The rules a new installation starts with. An admin edits them (disable the bank's own name among competitors). */
export function defaultTagRules(): TagRule[] {
	const bank = (id: string, label: string, labelEn: string, any: string[], not: string[] = []) =>
		rule({ id: `competitor.${id}`, tag: 'competitor', label, labelEn, any, not });
	const lead = (id: string, label: string, labelEn: string, any: string[]) =>
		rule({ id: `lead.${id}`, tag: 'lead', label, labelEn, any, with: LEAD_INTENT, not: LEAD_NOT });
	const risk = (id: string, label: string, labelEn: string, any: string[]) =>
		rule({ id: `risk.${id}`, tag: 'risk', label, labelEn, any });
	return [
		rule({
			id: 'suggestion.zh',
			tag: 'suggestion',
			label: '意见建议',
			labelEn: 'Suggestion',
			any: [
				'建议',
				'希望',
				'能不能',
				'能否',
				'可不可以',
				'可否',
				'应该',
				'最好能',
				'最好是',
				'要是能',
				'如果能',
				'期待',
				'改进',
				'改善',
				'优化',
				'增加一个',
				'增设',
				'提个意见',
				'盼望'
			]
		}),
		rule({
			id: 'suggestion.en',
			tag: 'suggestion',
			label: '意见建议（英文）',
			labelEn: 'Suggestion (English)',
			any: [
				'suggest',
				'suggestion',
				'should',
				'hope',
				'wish',
				'would be nice',
				'would be great',
				'please add',
				'improve'
			]
		}),
		lead('wealth', '理财投资', 'Wealth and investment', [
			'理财',
			'基金',
			'大额存单',
			'存定期',
			'存个定期',
			'保险',
			'黄金',
			'国债',
			'定投',
			'wealth',
			'fund',
			'investment',
			'deposit',
			'insurance'
		]),
		lead('card', '办卡、升级与提额', 'New card, upgrade and limit', [
			'白金卡',
			'金卡',
			'高端卡',
			'办信用卡',
			'办张信用卡',
			'申请信用卡',
			'提额',
			'提高额度',
			'调高额度',
			'临时额度',
			'platinum',
			'new credit card',
			'credit limit increase',
			'higher limit'
		]),
		lead('loan', '贷款', 'Loans', [
			'贷款',
			'房贷',
			'车贷',
			'消费贷',
			'经营贷',
			'借款',
			'分期',
			'loan',
			'mortgage',
			'borrow'
		]),
		bank('icbc', '工商银行', 'ICBC', ['工商银行', '工行', 'icbc']),
		bank('ccb', '建设银行', 'CCB', ['建设银行', '建行', 'ccb']),
		bank('cmb', '招商银行', 'China Merchants Bank', ['招商银行', '招行', 'china merchants bank']),
		bank('abc', '农业银行', 'ABC', ['农业银行', '农行', 'agricultural bank']),
		bank(
			'boc',
			'中国银行',
			'Bank of China',
			['中国银行', '中行', 'bank of china'],
			['中国银行业', '中国银行保险']
		),
		bank('bocom', '交通银行', 'Bank of Communications', ['交通银行', '交行', 'bocom']),
		bank('pab', '平安银行', 'Ping An Bank', ['平安银行', '平安口袋银行', 'ping an bank']),
		bank('spdb', '浦发银行', 'SPDB', ['浦发银行', '浦发', 'spdb']),
		bank('citic', '中信银行', 'CITIC Bank', ['中信银行', '中信', 'citic']),
		bank('cmbc', '民生银行', 'Minsheng Bank', ['民生银行']),
		bank('cib', '兴业银行', 'Industrial Bank', ['兴业银行']),
		bank('ceb', '光大银行', 'Everbright Bank', ['光大银行']),
		bank('psbc', '邮储银行', 'Postal Savings Bank', ['邮储银行', '邮政储蓄', '邮储']),
		bank('hxb', '华夏银行', 'Hua Xia Bank', ['华夏银行']),
		bank('cgb', '广发银行', 'China Guangfa Bank', ['广发银行', '广发']),
		bank('alipay', '支付宝', 'Alipay', ['支付宝', 'alipay', '花呗', '借呗', '余额宝']),
		bank('wechatpay', '微信支付', 'WeChat Pay', ['微信支付', '微信零钱', '财付通', 'wechat pay', '微粒贷']),
		bank('unionpay', '云闪付', 'UnionPay QuickPass', ['云闪付']),
		bank('jd', '京东金融', 'JD Finance', ['京东金融', '京东白条', '白条']),
		risk('regulator', '监管投诉', 'Regulator', [
			'监管',
			'12378',
			'银保监',
			'金融监管总局',
			'国家金融监督管理总局',
			'人民银行',
			'央行',
			'消协',
			'消费者协会',
			'315',
			'regulator',
			'nfra',
			'cbirc'
		]),
		risk('complaint', '投诉', 'Complaint', ['投诉', '举报', 'complaint', 'complain']),
		risk('media', '媒体曝光', 'Media', [
			'媒体',
			'曝光',
			'记者',
			'微博',
			'抖音',
			'热搜',
			'media',
			'press',
			'journalist',
			'social media'
		]),
		risk('legal', '法律与报警', 'Legal and police', [
			'律师',
			'起诉',
			'法院',
			'诉讼',
			'报警',
			'警察',
			'公安',
			'lawyer',
			'sue',
			'court',
			'police',
			'legal action'
		])
	].map((r) => tagRuleSchema.parse(r));
}

interface CompiledPhrase {
	text: string;
	/** ASCII words and numbers must not touch another letter or digit (sue ≠ issue, 315 ≠ 3150). */
	whole: boolean;
}

interface CompiledRule {
	rule: TagRule;
	any: CompiledPhrase[];
	with: CompiledPhrase[];
	not: CompiledPhrase[];
}

export interface CompiledTagRules {
	rules: CompiledRule[];
}

function compilePhrase(phrase: string): CompiledPhrase {
	const text = normalize(phrase);
	return { text, whole: /^[a-z0-9]/.test(text) || /[a-z0-9]$/.test(text) };
}

/** Compiles enabled rules for matching (phrases normalized once). */
export function compileTagRules(rules: readonly TagRule[]): CompiledTagRules {
	return {
		rules: rules
			.filter((r) => r.enabled)
			.map((r) => ({
				rule: r,
				any: r.any.map(compilePhrase),
				with: r.with.map(compilePhrase),
				not: r.not.map(compilePhrase)
			}))
	};
}

/** Full-width folded and ASCII lower-cased; offsets stay those of the original text. */
function normalize(text: string): string {
	return foldWidth(text).replace(/[A-Z]/g, (c) => c.toLowerCase());
}

const WORD_CHAR = /[a-z0-9]/;

function occurrences(haystack: string, phrase: CompiledPhrase, from = 0, to = haystack.length): number[] {
	const found: number[] = [];
	let at = haystack.indexOf(phrase.text, from);
	while (at !== -1 && at + phrase.text.length <= to) {
		const end = at + phrase.text.length;
		const ok =
			!phrase.whole ||
			((at === 0 || !WORD_CHAR.test(haystack[at - 1])) &&
				(end >= haystack.length || !WORD_CHAR.test(haystack[end])));
		if (ok) found.push(at);
		at = haystack.indexOf(phrase.text, at + 1);
	}
	return found;
}

const SENTENCE_END = /[。！？!?；;\n]/g;

/** Sentence spans [start, end) of a normalized text. */
function sentences(text: string): [number, number][] {
	const spans: [number, number][] = [];
	let start = 0;
	for (const m of text.matchAll(SENTENCE_END)) {
		spans.push([start, m.index + 1]);
		start = m.index + 1;
	}
	if (start < text.length) spans.push([start, text.length]);
	return spans;
}

/**
 * The tags of a text: every place an enabled rule matches, ordered by position (several hits of one rule are all
 * reported, for highlighting). Cheap: a few hundred `indexOf` over the text (≈ 5–15 µs a comment).
 */
export function matchTags(text: string, compiled: CompiledTagRules): TagHit[] {
	const hay = normalize(text);
	let spans: [number, number][] | undefined;
	const hits: TagHit[] = [];
	for (const c of compiled.rules) {
		for (const phrase of c.any) {
			for (const at of occurrences(hay, phrase)) {
				if (c.with.length > 0 || c.not.length > 0) {
					spans ??= sentences(hay);
					const [s, e] = spans.find(([s, e]) => at >= s && at < e) ?? [0, hay.length];
					if (c.with.length > 0 && !c.with.some((p) => occurrences(hay, p, s, e).length > 0)) continue;
					if (c.not.some((p) => occurrences(hay, p, s, e).length > 0)) continue;
				}
				const end = at + phrase.text.length;
				// A longer phrase of the same rule already covers this place (工商银行 vs 工行 inside it).
				if (hits.some((h) => h.rule === c.rule.id && h.start <= at && h.end >= end)) continue;
				hits.push({
					tag: c.rule.tag,
					rule: c.rule.id,
					label: c.rule.label,
					labelEn: c.rule.labelEn,
					start: at,
					end
				});
			}
		}
	}
	return hits.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** The `tag_mask` bits of a set of hits. */
export function tagMask(hits: readonly TagHit[]): number {
	let mask = 0;
	for (const h of hits) mask |= TAG_BITS[h.tag];
	return mask;
}

/** Distinct rule ids of a set of hits, in order of first appearance. */
export function tagRuleIds(hits: readonly TagHit[]): string[] {
	return [...new Set(hits.map((h) => h.rule))];
}
