import { describe, expect, it } from 'vitest';
import { HOLDOUT_SENTENCES, type SentimentLabel } from './sentiment-holdout';
import { sampleComments } from './sample-corpus';
import {
	scoreSentiment,
	scoreSentimentAsync,
	sentimentIndex,
	sentimentLabel,
	sentimentOfTokens
} from './sentiment';
import { Slicer } from './steps';
import { tokenize } from './segment';

/** Development table: bank-customer comments and transcript lines, each labelled by hand; the lexicon was tuned on it. */
const DEVELOPMENT: readonly (readonly [string, SentimentLabel])[] = [
	// plain polarity
	['客服态度非常好，很有耐心', 'positive'],
	['服务很专业，谢谢', 'positive'],
	['非常满意', 'positive'],
	['手机银行太难用了', 'negative'],
	['等了半天都没人接', 'negative'],
	['信用卡年费乱收费，太坑了', 'negative'],
	['挂失办理得很顺利，给你们点赞', 'positive'],
	['验证码一直收不到', 'negative'],
	['我要去12378投诉你们', 'negative'],
	['转人工转了五次都转不了', 'negative'],
	['问题很快就解决了', 'positive'],
	['app闪退，登不上', 'negative'],
	['理财经理很贴心，讲得很清楚', 'positive'],
	// negation
	['不满意', 'negative'],
	['一点也不专业', 'negative'],
	['没有解决我的问题', 'negative'],
	['不差，还行吧', 'positive'],
	['客服不耐烦，直接挂电话', 'negative'],
	['没想到这么快就到账了，很方便', 'positive'],
	['从来没有遇到过这么差的服务', 'negative'],
	['不是不好，只是有点慢', 'negative'],
	['别再给我打推销电话了，很烦', 'negative'],
	// degree
	['不太满意', 'negative'],
	['有点慢', 'negative'],
	['稍微有点复杂', 'negative'],
	['特别感谢这位客服小姐姐', 'positive'],
	['效率极其低下，太失望了', 'negative'],
	// contrast
	['客服态度挺好，但是问题一直没解决', 'negative'],
	['虽然等了很久，不过最后处理得很好', 'positive'],
	['界面好看，可是转账总是失败', 'negative'],
	['流程有点繁琐，不过客服很耐心地一步步教我', 'positive'],
	// neutral
	['我想查一下信用卡账单', 'neutral'],
	['请问怎么开通手机银行', 'neutral'],
	['能不能把挂失放到语音菜单前面', 'neutral'],
	['我的信用卡额度是多少', 'neutral'],
	['麻烦帮我查一下还款日', 'neutral'],
	// English
	['The agent was very helpful and friendly', 'positive'],
	['Terrible service, I waited 30 minutes', 'negative'],
	['The app is not working again', 'negative'],
	['Not bad at all', 'positive'],
	["I don't like the new menu", 'negative'],
	['Fast and easy, thanks', 'positive'],
	['The staff were polite but my problem is still not solved', 'negative'],
	['Although it took long, the result was excellent', 'positive'],
	['I would like to know my credit limit', 'neutral'],
	['Very disappointed with the annual fee', 'negative'],
	['Nobody called me back', 'negative'],
	['Never had such a smooth experience', 'positive'],
	['Could you tell me the branch opening hours', 'neutral'],
	['Thank you so much, problem solved', 'positive'],
	// a former held-out batch (scored 20/30 before it was moved here and tuned on)
	['你们的风控太严了，正常消费也被冻结', 'negative'],
	['提额申请秒批，体验很好', 'positive'],
	['视频认证排了四十分钟的队', 'negative'],
	['工作人员全程陪同，服务很周到', 'positive'],
	['为什么每次打电话都要重复验证身份', 'negative'],
	['双录流程太长了，老人家根本坐不住', 'negative'],
	['积分兑换的礼品质量一般', 'negative'],
	['客服耐心解答了我的疑问，态度很温和', 'positive'],
	['我的卡被吞了，网点也没人处理', 'negative'],
	['查询余额', 'neutral'],
	['想把信用卡账单日改到月底', 'neutral'],
	['新版手机银行好用多了', 'positive'],
	['催收电话打到我单位去了，太过分了', 'negative'],
	['整体还算满意，希望继续保持', 'positive'],
	['智能客服听不懂我说什么，一直绕圈子', 'negative'],
	['Quick response and a very clear explanation', 'positive'],
	['The chatbot kept giving me the same useless answer', 'negative'],
	['I want to change my billing address', 'neutral'],
	['The branch manager went out of his way to help me', 'positive'],
	['Charged twice for the same transaction and still no refund', 'negative'],
	['转账限额太低，每次都要分好几笔', 'negative'],
	['回访的专员很有礼貌', 'positive'],
	['利率比别的银行高，不划算', 'negative'],
	['信用卡到了，激活很顺利', 'positive'],
	['等待音乐太吵了', 'negative'],
	['开户的时候人脸识别一次就通过了', 'positive'],
	['请帮我转接人工服务', 'neutral'],
	['网点的阿姨教我用手机银行，特别热心', 'positive'],
	['账单看不明白，收费项目也不透明', 'negative'],
	['The new app design is clean and I love it', 'positive'],
	// a former held-out batch (scored 17/30 before it was moved here and tuned on)
	['房贷提前还款要预约一个月，太不方便了', 'negative'],
	['这次的客服经理服务意识很强，点个赞', 'positive'],
	['短信提醒很及时，交易一笔就提醒一笔', 'positive'],
	['语音菜单绕来绕去，半天找不到挂失', 'negative'],
	['我上个月的还款为什么没有入账', 'negative'],
	['专员帮我申请了减免年费，真的很感激', 'positive'],
	['能不能告诉我最近的网点在哪里', 'neutral'],
	['外币兑换的汇率还挺合适的', 'positive'],
	['工作日白天才能办，上班族怎么去', 'negative'],
	['分期的利息说得不清不楚', 'negative'],
	['视频客服小哥很专业，十分钟就办完了', 'positive'],
	['已经第三次打电话问同一件事了', 'negative'],
	['我需要开一张存款证明', 'neutral'],
	['手机银行的理财频道内容很丰富', 'positive'],
	['客服一直在推销保险，根本不解决问题', 'negative'],
	['信用卡的优惠活动挺多的，很实惠', 'positive'],
	['被告知要本人去网点，但我人在外地', 'negative'],
	['营业厅环境干净整洁，工作人员很热情', 'positive'],
	['请问境外消费有没有手续费', 'neutral'],
	['密码重置一直失败，系统提示异常', 'negative'],
	['The transfer went through instantly, impressive', 'positive'],
	['Your hotline is always busy', 'negative'],
	['I need a copy of my statement', 'neutral'],
	['Staff at the branch were rude and impatient', 'negative'],
	['Thanks for sorting out the dispute so fast', 'positive'],
	['Why does it take a week to unfreeze my card?', 'negative'],
	['The face recognition never works for my mother', 'negative'],
	['Easy to apply and the limit was higher than expected', 'positive'],
	['Can I pay my credit card bill with another bank account?', 'neutral'],
	['The interest rate is fair and the terms are clear', 'positive']
];

function classify(text: string): SentimentLabel {
	return sentimentLabel(scoreSentiment(text)) ?? 'neutral';
}

function accuracy(table: readonly (readonly [string, SentimentLabel])[]) {
	const misses = table.filter(([text, label]) => classify(text) !== label);
	return { correct: table.length - misses.length, total: table.length, misses };
}

describe('scoreSentiment', () => {
	it('is null without words and 0 for words without sentiment', () => {
		expect(scoreSentiment('')).toBeNull();
		expect(scoreSentiment('[手机号] 12345，。')).toBeNull();
		expect(scoreSentiment('我想查一下信用卡账单')).toBe(0);
	});

	it('stays within −1…1 and orders degree and negation sensibly', () => {
		const s = (t: string) => scoreSentiment(t) ?? 0;
		for (const t of ['非常非常非常满意！！！', '太太太差了！！', '垃圾垃圾垃圾垃圾垃圾垃圾'])
			expect(Math.abs(s(t))).toBeLessThanOrEqual(1);
		expect(s('非常满意')).toBeGreaterThan(s('满意'));
		expect(s('满意')).toBeGreaterThan(s('有点满意'));
		expect(s('不满意')).toBeLessThan(0);
		expect(s('不太满意')).toBeLessThan(0);
		expect(s('不太满意')).toBeGreaterThan(s('很不满意'));
		expect(s('不差')).toBeGreaterThan(0);
		expect(s('不差')).toBeLessThan(s('很好'));
		expect(s('好的，谢谢')).toBeGreaterThan(0);
		expect(s('好吧')).toBe(0);
		expect(s('very good')).toBeGreaterThan(s('good'));
		expect(s('not good')).toBeLessThan(0);
	});

	it('weighs the clause after a contrast word more', () => {
		const s = (t: string) => scoreSentiment(t) ?? 0;
		expect(s('服务很好，但是等太久了')).toBeLessThan(0);
		expect(s('等太久了，但是服务很好')).toBeGreaterThan(0);
		expect(s('The wait was long but the agent was great')).toBeGreaterThan(0);
		expect(s('The agent was great but the wait was terribly slow')).toBeLessThan(0);
	});

	it('reports the words that moved the score, at their offsets', () => {
		const text = '客服很耐心，但是系统太慢';
		const result = sentimentOfTokens(text, tokenize(text));
		expect(result.hits.map((h) => text.slice(h.start, h.end))).toEqual(['耐心', '太慢']);
		expect(result.hits[1].value).toBeLessThan(0);
	});

	it('classifies the labelled tables (≥ 85%)', () => {
		const dev = accuracy(DEVELOPMENT);
		const holdout = accuracy(HOLDOUT_SENTENCES);
		const total = dev.total + holdout.total;
		const correct = dev.correct + holdout.correct;
		const pct = (c: number, n: number) => `${((c / n) * 100).toFixed(1)}% (${c}/${n})`;
		console.log(
			`[sentiment] accuracy: all ${pct(correct, total)}; development ${pct(dev.correct, dev.total)}; ` +
				`held-out ${pct(holdout.correct, holdout.total)}`
		);
		const flipped = holdout.misses.filter(
			([text, label]) => label !== 'neutral' && classify(text) !== 'neutral'
		);
		console.log(
			`[sentiment] held-out misses: ${holdout.misses.length - flipped.length} read as neutral or over-read, ` +
				`${flipped.length} with the wrong polarity`
		);
		for (const [text, label] of [...dev.misses, ...holdout.misses])
			console.log(
				`[sentiment] miss: ${text} — expected ${label}, got ${classify(text)} (${scoreSentiment(text)})`
			);
		expect(total).toBeGreaterThanOrEqual(40);
		expect(correct / total).toBeGreaterThanOrEqual(0.85);
		// A regression guard on text the lexicon was not tuned on (85% when last measured).
		expect(holdout.correct / holdout.total).toBeGreaterThanOrEqual(0.8);
	});

	it('computes the sentiment KPI as (positive − negative) ÷ scored × 100', () => {
		expect(sentimentIndex([0.8, 0.5, -0.7, 0, null])).toEqual({ value: 25, n: 4 });
		expect(sentimentIndex([null])).toEqual({ value: null, n: 0 });
	});
});

describe('scoreSentimentAsync (in steps, the event loop handed back between them)', () => {
	const longTexts = [
		'1@'.repeat(14_000),
		'a '.repeat(14_000),
		'，'.repeat(10_000),
		'但是'.repeat(5_000),
		'坐席：好\n客户：差，但是很慢！\n'.repeat(500),
		'坐席：您好，很高兴为您服务\n客户：等了半天都没人接，太失望了，不过最后处理得很好\n'.repeat(300),
		sampleComments(400, 7)
			.map((c) => c.text)
			.join('。'),
		sampleComments(400, 11)
			.map((c) => c.text)
			.join('\n')
	];

	const GOLDEN = [null, 0, null, 0, -1, -1, -0.64, -0.999];

	it('gives exactly the sync score on the sample corpus and the development table', async () => {
		const texts = [...sampleComments(300, 3).map((c) => c.text), ...DEVELOPMENT.map(([t]) => t), ''];
		for (const text of texts) {
			// A zero budget pauses at every step: the most interrupted run.
			expect(await scoreSentimentAsync(text, new Slicer(0))).toBe(scoreSentiment(text));
		}
	});

	it('gives exactly the sync score on long texts, and pauses inside them', async () => {
		for (const text of longTexts) {
			const slicer = new Slicer(0);
			const score = await scoreSentimentAsync(text, slicer);
			expect(score).toBe(scoreSentiment(text));
			expect(slicer.pauses).toBeGreaterThan(1);
		}
	});

	it('scores long texts as the one-shot code did before it was cut into steps', () => {
		// Scores of the code before this change (commit 61efcb6), which walked each text in one go.
		expect(longTexts.map((t) => scoreSentiment(t))).toEqual(GOLDEN);
	});
});
