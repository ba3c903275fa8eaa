import { describe, expect, it } from 'vitest';
import { compileTagRules, defaultTagRules, matchTags, tagMask, TAG_BITS, tagRuleSchema } from './tags';

const rules = compileTagRules(defaultTagRules());
const ids = (text: string) => [...new Set(matchTags(text, rules).map((h) => h.rule))];
const kinds = (text: string) => [...new Set(matchTags(text, rules).map((h) => h.tag))];

describe('tag rules', () => {
	it('finds suggestions (意见建议)', () => {
		expect(kinds('建议把挂失放到语音菜单的第一层')).toContain('suggestion');
		expect(kinds('能不能增加一个人工入口')).toContain('suggestion');
		expect(kinds('希望以后提前通知')).toContain('suggestion');
		expect(kinds('You should add a way to reach a human')).toContain('suggestion');
		expect(kinds('查一下余额')).toEqual([]);
	});

	it('finds sales leads (商机线索) only with an intent and without a refusal', () => {
		expect(ids('我想了解一下理财产品')).toContain('lead.wealth');
		expect(ids('想升级白金卡，需要什么条件')).toContain('lead.card');
		expect(ids('想办贷款，利率多少')).toContain('lead.loan');
		expect(ids('能不能帮我提额')).toContain('lead.card');
		expect(ids('理财亏了好多')).not.toContain('lead.wealth');
		expect(ids('别再给我推销理财了，不需要')).not.toContain('lead.wealth');
		expect(ids('提额申请又失败了')).not.toContain('lead.card');
		expect(ids("I'm interested in a mortgage")).toContain('lead.loan');
	});

	it('finds competitors (竞争性情报), full names and short ones, and e-wallets', () => {
		expect(ids('工行的手机银行比你们好用')).toContain('competitor.icbc');
		expect(ids('我在招商银行办的，很快')).toContain('competitor.cmb');
		expect(ids('建行和农行都可以')).toEqual(expect.arrayContaining(['competitor.ccb', 'competitor.abc']));
		expect(ids('还是支付宝方便，微信支付也行')).toEqual(
			expect.arrayContaining(['competitor.alipay', 'competitor.wechatpay'])
		);
		// one hit for 工商银行, not a second one for the 工行 inside it… (工商银行 does not contain 工行, but 中国银行 must not fire on 中国银行业)
		expect(matchTags('工商银行', rules).filter((h) => h.rule === 'competitor.icbc')).toHaveLength(1);
		expect(ids('中国银行业协会发布了报告')).not.toContain('competitor.boc');
	});

	it('finds risk words', () => {
		expect(ids('再不处理我就打12378')).toContain('risk.regulator');
		expect(ids('我要向金融监管总局和消协反映')).toContain('risk.regulator');
		expect(ids('我要投诉')).toContain('risk.complaint');
		expect(ids('找媒体曝光你们')).toContain('risk.media');
		expect(ids('我已经报警，也请了律师准备起诉')).toContain('risk.legal');
	});

	it('matches ASCII words and numbers whole only', () => {
		expect(ids('There is an issue with my card')).not.toContain('risk.legal'); // "sue" inside "issue"
		expect(ids('I will sue the bank')).toContain('risk.legal');
		expect(ids('转账3150元')).not.toContain('risk.regulator'); // "315" inside a number
		expect(ids('我要去315晚会曝光')).toContain('risk.regulator');
	});

	it('reports offsets and a mask', () => {
		const text = '建议优化，不然我去12378投诉';
		const hits = matchTags(text, rules);
		expect(hits.map((h) => text.slice(h.start, h.end))).toEqual(['建议', '优化', '12378', '投诉']);
		expect(tagMask(hits)).toBe(TAG_BITS.suggestion | TAG_BITS.risk);
	});

	it('validates rules and skips disabled ones', () => {
		expect(() =>
			tagRuleSchema.parse({ id: 'x y', tag: 'risk', label: 'a', labelEn: 'a', any: ['b'] })
		).toThrow();
		expect(() =>
			tagRuleSchema.parse({ id: 'x', tag: 'other', label: 'a', labelEn: 'a', any: ['b'] })
		).toThrow();
		const custom = compileTagRules([
			tagRuleSchema.parse({
				id: 'competitor.own',
				tag: 'competitor',
				label: '本行',
				labelEn: 'Us',
				any: ['本行']
			}),
			tagRuleSchema.parse({
				id: 'risk.x',
				tag: 'risk',
				label: 'x',
				labelEn: 'x',
				any: ['投诉'],
				enabled: false
			})
		]);
		expect(matchTags('本行要投诉', custom).map((h) => h.rule)).toEqual(['competitor.own']);
	});
});
