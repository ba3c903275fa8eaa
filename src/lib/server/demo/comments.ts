/**
 * Voice-of-customer text for the demo: survey comments and short contact transcripts written the way Chinese bank
 * customers write them (short, colloquial, emoji rare), about one in ten in English. Built from templates and slot
 * fillers so there are thousands of distinct texts, all driven by the seeded generator. Some carry a mobile
 * number, a resident ID number with a valid checksum or a Luhn-valid card number, so PII redaction has work to do;
 * some carry regulator/legal risk words, suggestions (建议…) and sales leads.
 */
import type { Channel, Outcome } from '$lib/model';
import { REGIONS, type ReasonId } from './catalog';
import type { JourneyKey } from './journeys';
import type { Random } from './random';

export type Sentiment = 'positive' | 'neutral' | 'negative';

export interface CommentContext {
	sentiment: Sentiment;
	reason?: ReasonId;
	journey?: JourneyKey;
	channel?: Channel;
	handledBy?: 'agent' | 'bot' | 'ivr';
	waitS?: number;
	outcome?: Outcome;
	/** 1 for the first contact about an issue, 2 for the first repeat, … */
	attempt?: number;
	transferred?: boolean;
	agentId?: string;
	/** A journey breakpoint the customer ran into (its id in journeys.ts). */
	breakpoint?: string;
	/** The center is in an incident (outage, queue collapse): angrier, more risk words. */
	incident?: boolean;
	elderly?: boolean;
	/** Share of comments in English (default 0.1). */
	englishShare?: number;
}

// ---------------------------------------------------------------------------------------------------- PII

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS = '10X98765432';

/** The GB 11643 check character of the first 17 digits of a resident ID number. */
export function residentIdCheckChar(first17: string): string {
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
	return ID_CHECK_CHARS[sum % 11];
}

/** The Luhn check digit to append to a card number's other digits. */
export function luhnCheckDigit(partial: string): string {
	let sum = 0;
	for (let i = 0; i < partial.length; i++) {
		let d = Number(partial[partial.length - 1 - i]);
		if (i % 2 === 0) {
			d *= 2;
			if (d > 9) d -= 9;
		}
		sum += d;
	}
	return String((10 - (sum % 10)) % 10);
}

export function isValidResidentId(id: string): boolean {
	return /^\d{17}[\dX]$/.test(id) && residentIdCheckChar(id.slice(0, 17)) === id[17];
}

export function isLuhnValid(card: string): boolean {
	return /^\d{12,19}$/.test(card) && luhnCheckDigit(card.slice(0, -1)) === card.slice(-1);
}

function digits(rng: Random, n: number): string {
	let s = '';
	for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
	return s;
}

/** A mainland mobile number, 1[3-9]\d{9}. */
export function mobileNumber(rng: Random): string {
	const prefixes = ['13', '15', '18', '17', '19', '14', '16'];
	return rng.pick(prefixes) + digits(rng, 9);
}

/** An 18-digit resident ID number with a real area code, a plausible birth date and a valid check character. */
export function residentIdNumber(rng: Random): string {
	const area = rng.pick(rng.pick(REGIONS).areaCodes);
	const year = rng.int(1950, 2004);
	const month = rng.int(1, 12);
	const day = rng.int(1, 28);
	const body = `${area}${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${digits(rng, 3)}`;
	return body + residentIdCheckChar(body);
}

/** A Luhn-valid bank card number: UnionPay debit (19 digits) or credit (16 digits) on believable BINs. */
export function bankCardNumber(
	rng: Random,
	kind: 'debit' | 'credit' = rng.bernoulli(0.5) ? 'debit' : 'credit'
): string {
	const bin =
		kind === 'debit'
			? rng.pick(['622202', '622848', '621700', '622588', '621483'])
			: rng.pick(['625968', '622155', '436742', '518710', '628288']);
	const length = kind === 'debit' ? 19 : 16;
	const partial = bin + digits(rng, length - bin.length - 1);
	return partial + luhnCheckDigit(partial);
}

// ---------------------------------------------------------------------------------------------------- slots

/** What the customer wanted done, as they would say it. */
const FIX_ZH: Record<ReasonId, readonly string[]> = {
	bill_inquiry: ['查账单', '问账单', '核对账单'],
	repayment: ['还款', '还信用卡', '设置自动还款'],
	installment: ['办分期', '账单分期', '办理分期'],
	credit_limit: ['调额度', '提额', '临时额度'],
	annual_fee: ['年费的事', '退年费', '手续费的事'],
	card_activation: ['激活卡', '开卡', '激活新卡'],
	card_application: ['查办卡进度', '问信用卡申请', '查申请进度'],
	points_rewards: ['积分兑换', '兑换积分', '权益的事'],
	collection: ['还款协商', '停息挂账', '协商还款'],
	lost_card: ['挂失', '挂失补卡', '紧急挂失'],
	fraud_dispute: ['盗刷的事', '争议交易', '被盗刷'],
	balance_inquiry: ['查余额', '查明细', '查流水'],
	transfer_issue: ['转账', '跨行转账', '汇款'],
	account_opening: ['开户', '开二类户', '远程开户'],
	address_change: ['改手机号', '改预留信息', '更新身份证'],
	password_reset: ['重置密码', '改密码', '找回密码'],
	app_login: ['登录手机银行', '登APP', '手机银行登录'],
	loan_inquiry: ['贷款的事', '问消费贷', '咨询贷款'],
	loan_status: ['查贷款进度', '问审批进度', '贷款审批'],
	loan_repayment: ['提前还贷', '贷款还款', '改还款日'],
	wealth_inquiry: ['买理财', '理财产品', '基金赎回'],
	deposit_rate: ['问存款利率', '大额存单', '定期存款'],
	complaint: ['投诉的事', '反映问题', '投诉']
};

const FIX_EN: Record<ReasonId, string> = {
	bill_inquiry: 'bill question',
	repayment: 'card repayment',
	installment: 'instalment plan',
	credit_limit: 'credit limit',
	annual_fee: 'annual fee',
	card_activation: 'card activation',
	card_application: 'card application',
	points_rewards: 'reward points',
	collection: 'repayment arrangement',
	lost_card: 'lost card',
	fraud_dispute: 'fraud claim',
	balance_inquiry: 'balance question',
	transfer_issue: 'transfer',
	account_opening: 'account opening',
	address_change: 'contact details',
	password_reset: 'password reset',
	app_login: 'app login',
	loan_inquiry: 'loan question',
	loan_status: 'loan application',
	loan_repayment: 'loan repayment',
	wealth_inquiry: 'investment question',
	deposit_rate: 'deposit question',
	complaint: 'complaint'
};

const AGENT_REFS = [
	'客服',
	'客服小姐姐',
	'客服小哥',
	'工作人员',
	'这位客服',
	'接电话的客服',
	'坐席',
	'客服妹子'
];

function agentRef(rng: Random, ctx: CommentContext): string {
	if (ctx.agentId && rng.bernoulli(0.25)) return `工号${1000 + Number(ctx.agentId.slice(2))}的客服`;
	if (ctx.channel === 'chat' || ctx.channel === 'wechat' || ctx.channel === 'app')
		return rng.pick(['在线客服', '客服', '人工客服', '这位客服']);
	if (ctx.channel === 'video') return rng.pick(['视频客服', '视频里的客服', '工作人员']);
	return rng.pick(AGENT_REFS);
}

function waitMinutes(rng: Random, ctx: CommentContext): string {
	const minutes = Math.max(2, Math.round((ctx.waitS ?? rng.uniform(120, 1500)) / 60) + rng.int(0, 8));
	if (minutes >= 28 && rng.bernoulli(0.5)) return '半个多小时';
	if (minutes >= 10 && rng.bernoulli(0.35)) return rng.pick(['十几', '二十多', '好几十']);
	return String(minutes);
}

function times(rng: Random, ctx: CommentContext): string {
	const n = Math.max(2, ctx.attempt ?? rng.int(2, 5));
	return rng.bernoulli(0.3)
		? rng.pick(['好几', '两三', '三四'])
		: n <= 3
			? ['', '', '两', '三'][n]
			: String(n);
}

type Slot = (rng: Random, ctx: CommentContext) => string;

const SLOTS: Record<string, Slot> = {
	fix: (rng, ctx) => rng.pick(FIX_ZH[ctx.reason ?? 'balance_inquiry']),
	fixEn: (_rng, ctx) => FIX_EN[ctx.reason ?? 'balance_inquiry'],
	agent: agentRef,
	wait: waitMinutes,
	waitEn: (rng, ctx) => String(Math.max(3, Math.round((ctx.waitS ?? rng.uniform(180, 1500)) / 60))),
	times,
	timesEn: (rng, ctx) => String(Math.max(2, ctx.attempt ?? rng.int(2, 4))),
	days: (rng) => rng.pick(['3', '5', '7', '三', '五', '十五']),
	minutes: (rng) => rng.pick(['两', '三', '5', '几', '不到五']),
	amount: (rng) => rng.pick(['1280', '3999', '5000', '2万', '12600', '899', '4500多']),
	very: (rng) => rng.pick(['太', '真的太', '实在太', '特别', '非常']),
	elderly: (rng) => rng.pick(['老年人', '我妈', '我爸', '家里老人', '我们这个年纪的']),
	feature: (rng) => rng.pick(['转账入口', '信用卡还款', '账单明细', '理财页面', '客服入口']),
	light: (rng) => rng.pick(LIGHT_ZH),
	lightEn: (rng) => rng.pick(LIGHT_EN),
	wish: (rng) => rng.pick(WISH_ZH),
	tip: (rng) => rng.pick(['还款日', '防诈骗', '积分快过期', '可以用APP自助办', '年费减免条件'])
};

function fill(rng: Random, template: string, ctx: CommentContext): string {
	return template.replace(/\{(\w+)\}/g, (_m, name: string) => SLOTS[name]?.(rng, ctx) ?? '');
}

// ---------------------------------------------------------------------------------------------------- templates

const LIGHT_ZH = [
	'等的有点久',
	'流程有点繁琐',
	'要验证的东西太多了',
	'语音菜单有点绕',
	'客服说话有点快',
	'转了一次人工',
	'回复有点慢',
	'APP入口不太好找',
	'短信说得不太清楚',
	'要填的资料有点多'
];
const LIGHT_EN = [
	'the wait was a bit long',
	'too many verification steps',
	'the menu is confusing',
	'the agent spoke too fast',
	'it took a while'
];
const WISH_ZH = [
	'以后能更快一点',
	'语音菜单能简单点',
	'晚上也能有人工',
	'少验证几次',
	'APP能直接查进度',
	'别老让我重复说一遍'
];

const POSITIVE_ZH = [
	'{agent}态度很好，{fix}一下就办好了',
	'{agent}很耐心，讲得很清楚',
	'接通挺快的，问题当场就解决了',
	'服务很专业，给{agent}点个赞',
	'效率很高，{minutes}分钟就搞定了',
	'{agent}声音很好听，态度也好',
	'一次就解决了，不用跑网点，方便',
	'很满意，比以前好多了',
	'问题解决了，谢谢{agent}',
	'讲解很细致，{fix}的流程一遍就懂了',
	'服务周到，还主动提醒我{tip}',
	'{agent}帮我查得很仔细',
	'{fix}办得很顺利，没想到这么快',
	'挺好的，没什么问题',
	'回答很专业，问什么都清楚',
	'体验不错，{agent}很有礼貌',
	'很好，点赞',
	'满意，下次还用',
	'解决得很彻底，不用再打第二次了',
	'客服很热情，耐心听我讲完'
];

const POSITIVE_BY_REASON: Partial<Record<ReasonId, readonly string[]>> = {
	lost_card: [
		'挂失很及时，卡马上就冻结了，放心了',
		'半夜打过去也能挂失，很靠谱',
		'补卡很快，新卡两天就寄到了'
	],
	fraud_dispute: ['发现盗刷后处理很快，钱追回来了，感谢', '反欺诈的同事很专业，第一时间帮我止付了'],
	installment: ['分期办得很顺利，手续费也讲清楚了', '分期利率讲得很明白'],
	card_activation: ['激活很方便，几秒钟就好了', '开卡很顺利'],
	wealth_inquiry: ['理财经理讲得很专业，没有硬推产品', '风险讲得很清楚，挺放心的'],
	loan_inquiry: ['贷款审批比想象中快', '额度和利率都讲得很清楚'],
	loan_status: ['进度查得很清楚，放心了'],
	password_reset: ['密码重置很顺利，视频验证一下就好了'],
	points_rewards: ['积分兑换很方便，还推荐了划算的权益'],
	account_opening: ['在手机上就开好户了，不用去网点，方便'],
	deposit_rate: ['利率讲得很清楚，还推荐了大额存单']
};

const NEUTRAL_ZH = [
	'还行吧，就是{light}',
	'一般般，问题是解决了，但是{light}',
	'总体可以，{light}',
	'中规中矩吧',
	'解决了，不过{light}',
	'还可以，希望{wish}',
	'凑合，{light}',
	'问题解决了一半，剩下的说要等通知',
	'客服态度还行，就是{light}',
	'没什么特别的，正常办完了',
	'能用，希望{wish}'
];

type Topic =
	| 'wait'
	| 'unresolved'
	| 'transfer'
	| 'ivr'
	| 'bot'
	| 'attitude'
	| 'app'
	| 'face'
	| 'upload'
	| 'dual_recording'
	| 'video_queue'
	| 'status'
	| 'reason'
	| 'incident';

const NEGATIVE_ZH: Record<Topic, readonly string[]> = {
	wait: [
		'排队排了{wait}分钟才接通，{very}慢了',
		'打了{times}次都在排队，等了半天',
		'人工一直在忙，{wait}分钟没人接',
		'等待时间{very}长了，无语',
		'高峰期根本打不进来，等了{wait}分钟',
		'{wait}分钟才接通，接通了还要验证半天'
	],
	unresolved: [
		'问题到现在还没解决',
		'说好的{days}个工作日内回复，到现在也没消息',
		'打了{times}次电话，每次都说在处理',
		'{fix}的问题反反复复，就是解决不了',
		'客服只会说记录下来反馈，然后就没下文了',
		'同一个问题打了{times}次，一点用都没有',
		'{fix}到现在还没弄好，{very}耽误事了'
	],
	transfer: [
		'转了{times}次人工，每次都要重新说一遍',
		'踢皮球，这个说找那个，那个说找这个',
		'转来转去最后还是没人管',
		'转接以后又要从头验证一遍身份，{very}麻烦了'
	],
	ivr: [
		'语音菜单{very}绕了，按了半天才转到人工',
		'想{fix}，在语音菜单里绕了好几层都找不到',
		'语音导航听不懂人话，一直让我重新说',
		'按0转人工都不行，太难了',
		'自助语音说了一大堆，没有我要办的'
	],
	bot: [
		'智能客服答非所问，一直绕圈子',
		'机器人只会发链接，根本解决不了问题',
		'找个人工客服怎么这么难',
		'问了{times}遍机器人还是听不懂',
		'智能客服就是摆设'
	],
	attitude: [
		'{agent}态度很差，很不耐烦',
		'{agent}说话很冲，感觉被怼了',
		'{agent}一直打断我说话',
		'照本宣科，问什么都是标准话术',
		'{agent}敷衍了事，一问三不知'
	],
	app: [
		'APP老是闪退，登录不上',
		'手机银行一直提示系统繁忙',
		'更新以后找不到{feature}了',
		'验证码一直收不到',
		'APP{very}难用了，功能藏得很深'
	],
	face: [
		'人脸识别一直失败，{elderly}根本用不了',
		'刷脸刷了{times}次都没通过',
		'活体检测太难了，眨眼摇头都做了还是失败',
		'人脸验证过不了，只能跑网点，{very}折腾了'
	],
	upload: ['上传资料老是失败，页面一直转圈', '照片传了好几次都说不清晰', '资料上传到一半就报错，又得重新来'],
	dual_recording: [
		'双录{very}折腾了，录了快半小时',
		'买个理财要双录，中间断了还得重来',
		'双录要念一大段话，念错一个字就重录'
	],
	video_queue: ['视频客服排队{very}久了，等了{wait}分钟', '视频见证一直排不上，最后放弃了'],
	status: [
		'提交{days}天了一点消息都没有，只能打电话问',
		'APP上看不到进度，只能打客服电话',
		'每次问进度都说在审核中'
	],
	reason: [],
	incident: [
		'系统又崩了，转账一直失败',
		'APP登录不上，打电话也打不进去',
		'今天什么都办不了，到底怎么回事',
		'系统故障也没有个通知，害我白跑'
	]
};

const NEGATIVE_BY_REASON: Partial<Record<ReasonId, readonly string[]>> = {
	annual_fee: ['年费莫名其妙就扣了，也没提前通知', '手续费说得不清楚，实际比说的高'],
	installment: ['分期手续费说得不清楚，实际比说的高', '分期以后提前还款还要收违约金，坑'],
	collection: [
		'催收电话打到我家人那里去了，太过分了',
		'一天打好几个催收电话，严重影响生活',
		'催收态度恶劣，还威胁我'
	],
	fraud_dispute: ['被盗刷了{amount}元，到现在钱还没退回来', '盗刷的钱处理了快一个月了还没结果'],
	loan_status: ['贷款审批太慢了，一直说在审核', '申请被拒了也不说原因'],
	loan_inquiry: ['利率说一套做一套', '额度比宣传的低太多了'],
	card_application: ['申请信用卡提交一个星期了还没消息', '审核结果一直不出来'],
	card_activation: ['卡寄到了激活不了', '激活要验证一堆东西'],
	credit_limit: ['额度一直不给提，用了好几年了', '突然降额也不通知'],
	transfer_issue: ['转账显示成功对方没收到', '跨行转账被限额了也不提示'],
	lost_card: ['挂失在语音里找了半天', '补卡要等一个星期，太慢了'],
	wealth_inquiry: ['理财亏了，当初说是稳健型的', '推销得太积极了，不想买还一直打电话'],
	complaint: ['投诉了{times}次都没人处理', '投诉以后也没人回访']
};

const BREAKPOINT_TOPICS: Record<string, Topic> = {
	face_check_failure: 'face',
	liveness_failure: 'face',
	switch_to_phone: 'face',
	upload_failure: 'upload',
	double_record_dropout: 'dual_recording',
	ivr_menu_buried: 'ivr',
	video_queue: 'video_queue',
	where_is_my_application: 'status',
	status_calls: 'status',
	chasing_calls: 'status'
};

const POSITIVE_EN = [
	'The agent was very patient and sorted out my {fixEn} quickly.',
	'Quick answer, problem solved on the first call. Thanks!',
	'Very professional service.',
	'Easy and fast, much better than going to the branch.',
	'Friendly staff, clear explanation.',
	'Good experience overall, thank you.',
	'Got my {fixEn} done in a few minutes.'
];
const NEUTRAL_EN = [
	'OK overall, but {lightEn}.',
	'Problem solved, though {lightEn}.',
	'Fine. Nothing special.',
	'Average service.'
];
const NEGATIVE_EN: Partial<Record<Topic, readonly string[]>> = {
	wait: ['Waited {waitEn} minutes before anyone picked up.', 'Way too long on hold.'],
	unresolved: ['Still not resolved after {timesEn} calls.', 'Nobody called me back as promised.'],
	transfer: ['Transferred {timesEn} times and had to repeat my story every time.'],
	ivr: ['The phone menu is a maze, could not find how to report my {fixEn}.'],
	bot: ['The chatbot does not understand anything. Let me talk to a human.'],
	attitude: ['The agent was rude and impatient.'],
	app: ['The app keeps crashing at login.'],
	face: ['The face check keeps failing in the app.'],
	upload: ['Document upload keeps failing.'],
	dual_recording: ['The dual recording took forever and had to be redone.'],
	video_queue: ['The video queue is far too long.'],
	status: ['No way to see the status in the app, I had to call.'],
	incident: ['System down again, nothing works today.']
};

/** Most comments start straight in; a few open with a phrase. */
const OPENERS_ZH = [
	'说实话，',
	'总的来说，',
	'怎么说呢，',
	'作为老客户，',
	'用了你们银行十几年了，',
	'第一次打你们电话，',
	'讲真，'
];
const ENDINGS: Record<Sentiment, readonly string[]> = {
	positive: ['', '', '。', '！', '，谢谢', '，辛苦了', '，非常感谢', '，好评', '。继续保持', ' 👍'],
	neutral: ['', '。', '，希望改进', '，还有提升空间', '吧'],
	negative: ['', '。', '！', '，希望改进', '，太失望了', '。无语', '！！', '，什么服务', '，差评']
};

const RISK_ZH = [
	'再不解决我就打12378投诉',
	'已经向金融监管总局反映了',
	'我要去银保监投诉你们',
	'不行就找媒体曝光',
	'我会请律师处理',
	'我要投诉这个客服',
	'打12378去',
	'准备去消保投诉'
];
const RISK_EN = [
	'I will file a complaint with the regulator (12378).',
	'I am talking to a lawyer about this.'
];

const SUGGESTIONS_ZH = [
	'建议增加人工客服，高峰期太难打进来了',
	'建议把挂失放到语音菜单第一层',
	'建议给老年人开个专线',
	'建议APP里加个进度查询',
	'建议人脸识别失败时能直接转人工',
	'建议在线客服晚上也安排人',
	'建议转接的时候把情况一起转过去，不用重复说',
	'建议短信通知写清楚一点',
	'建议双录流程简化一下',
	'建议收年费前提前短信提醒',
	'建议智能客服能识别方言',
	'建议回电时间能预约'
];
const SUGGESTIONS_EN = [
	'Suggest adding a progress tracker in the app.',
	'Please add more agents at peak hours.'
];

const LEADS_ZH = [
	'另外想了解一下理财',
	'顺便问下能不能升级白金卡',
	'想办个贷款，有没有人联系我一下',
	'有没有大额存单，利率多少',
	'想了解一下信用卡分期优惠',
	'想给孩子开个账户',
	'想了解一下理财，麻烦理财经理联系我',
	'想升级白金卡'
];
const LEADS_EN = ['Also interested in your wealth products.', 'Would like to upgrade to a platinum card.'];

const MOBILE_ZH = ['有问题打我电话{pii}', '我的手机号{pii}，麻烦回电', '联系方式{pii}', '回电请打{pii}'];
const ID_ZH = ['我身份证号{pii}，你们查一下', '身份证{pii}', '证件号码{pii}，登记过的'];
const CARD_ZH = ['卡号{pii}', '我的卡号是{pii}，麻烦核实', '完整卡号{pii}'];

// ---------------------------------------------------------------------------------------------------- comments

/** About 6% of comments hand over a phone number, an ID number or a card number (for the redaction to catch). */
function piiSentence(rng: Random, english: boolean): string | undefined {
	const r = rng.next();
	if (r < 0.035)
		return english
			? `Call me back on ${mobileNumber(rng)}.`
			: rng.pick(MOBILE_ZH).replace('{pii}', mobileNumber(rng));
	if (r < 0.047)
		return english
			? `My ID number is ${residentIdNumber(rng)}.`
			: rng.pick(ID_ZH).replace('{pii}', residentIdNumber(rng));
	if (r < 0.062)
		return english
			? `Card number ${bankCardNumber(rng)}.`
			: rng.pick(CARD_ZH).replace('{pii}', bankCardNumber(rng));
	return undefined;
}

function negativeTopic(rng: Random, ctx: CommentContext): Topic {
	if (ctx.breakpoint && BREAKPOINT_TOPICS[ctx.breakpoint] && rng.bernoulli(0.7))
		return BREAKPOINT_TOPICS[ctx.breakpoint];
	if (ctx.incident && rng.bernoulli(0.5)) return 'incident';
	const topics: Topic[] = ['attitude', 'reason'];
	const weights: number[] = [0.8, 2];
	const add = (topic: Topic, weight: number) => {
		topics.push(topic);
		weights.push(weight);
	};
	if ((ctx.waitS ?? 0) > 45) add('wait', 2 + (ctx.waitS ?? 0) / 60);
	if (ctx.outcome === 'unresolved' || (ctx.attempt ?? 1) > 1) add('unresolved', 3);
	if (ctx.transferred || ctx.outcome === 'transferred') add('transfer', 3);
	if (ctx.channel === 'ivr') add('ivr', 3);
	if (ctx.handledBy === 'bot') add('bot', 3);
	if (ctx.reason === 'app_login' || ctx.reason === 'password_reset' || ctx.reason === 'transfer_issue')
		add('app', 1.5);
	return rng.weighted(topics, weights);
}

function coreSentence(rng: Random, ctx: CommentContext, english: boolean): string {
	const reason = ctx.reason ?? 'balance_inquiry';
	if (english) {
		if (ctx.sentiment === 'positive') return rng.pick(POSITIVE_EN);
		if (ctx.sentiment === 'neutral') return rng.pick(NEUTRAL_EN);
		const topic = negativeTopic(rng, ctx);
		return rng.pick(NEGATIVE_EN[topic] ?? NEGATIVE_EN.unresolved ?? []);
	}
	if (ctx.sentiment === 'positive') {
		const specific = POSITIVE_BY_REASON[reason];
		return specific && rng.bernoulli(0.3) ? rng.pick(specific) : rng.pick(POSITIVE_ZH);
	}
	if (ctx.sentiment === 'neutral') return rng.pick(NEUTRAL_ZH);
	return negativeSentenceZh(rng, ctx);
}

function negativeSentenceZh(rng: Random, ctx: CommentContext): string {
	const topic = negativeTopic(rng, ctx);
	if (topic !== 'reason') return rng.pick(NEGATIVE_ZH[topic]);
	const specific = NEGATIVE_BY_REASON[ctx.reason ?? 'balance_inquiry'];
	return rng.pick(specific ?? NEGATIVE_ZH.unresolved);
}

/** A survey comment matching the context: sentiment from the score, topic from what happened. */
export function writeComment(rng: Random, ctx: CommentContext): string {
	const english = rng.bernoulli(ctx.englishShare ?? 0.1);
	let text = fill(rng, coreSentence(rng, ctx, english), ctx);
	const sep = english ? ' ' : '，';
	const negative = ctx.sentiment === 'negative';

	if (!english) {
		if (rng.bernoulli(0.22)) text = rng.pick(OPENERS_ZH) + text;
		// A second complaint sentence: angry customers rarely stop at one.
		if (negative && rng.bernoulli(0.3)) {
			const second = fill(rng, negativeSentenceZh(rng, ctx), ctx);
			if (!text.includes(second)) text += sep + second;
		}
	}
	const riskChance = negative ? (ctx.incident ? 0.14 : 0.06) + ((ctx.attempt ?? 1) > 2 ? 0.08 : 0) : 0;
	if (rng.bernoulli(riskChance)) text += sep + (english ? rng.pick(RISK_EN) : rng.pick(RISK_ZH));
	if (rng.bernoulli(negative ? 0.14 : ctx.sentiment === 'neutral' ? 0.16 : 0.05))
		text += english ? sep + rng.pick(SUGGESTIONS_EN) : sep + rng.pick(SUGGESTIONS_ZH);
	if (rng.bernoulli(ctx.sentiment === 'positive' ? 0.05 : 0.02))
		text += english ? sep + rng.pick(LEADS_EN) : sep + rng.pick(LEADS_ZH);

	const pii = piiSentence(rng, english);
	if (pii) text += sep + pii;

	return text + (english ? '' : rng.pick(ENDINGS[ctx.sentiment]));
}

// ---------------------------------------------------------------------------------------------------- transcripts

export interface TranscriptContext {
	reason: ReasonId;
	outcome: Outcome;
	channel: Channel;
	/** Zh name of the team the contact is transferred to, when transferred. */
	transferTo?: string;
	waitS?: number;
	angry?: boolean;
}

const CUSTOMER_OPENINGS: Partial<Record<ReasonId, readonly string[]>> = {
	lost_card: ['我卡丢了，要挂失', '钱包被偷了，卡要马上挂失', '我的卡找不到了，怎么挂失'],
	fraud_dispute: ['我收到短信说刷了{amount}，不是我刷的', '我卡在身上，怎么在外地消费了'],
	bill_inquiry: ['我想问下这个月账单怎么这么多', '账单里有一笔不认识'],
	repayment: ['我还款了怎么还显示没还', '自动还款没扣成功'],
	installment: ['我想把这期账单分期', '分期手续费怎么算的'],
	annual_fee: ['怎么扣了我年费', '我想问下年费能不能减免'],
	collection: ['我想协商一下还款', '催收电话太多了'],
	password_reset: ['密码忘了，APP上刷脸过不去', '密码输错锁了'],
	app_login: ['手机银行登不上去', '一直提示设备未绑定'],
	transfer_issue: ['转账显示成功但是对方没收到', '转账被限额了'],
	loan_status: ['我贷款申请提交好几天了，到哪一步了'],
	wealth_inquiry: ['我想了解下你们的理财', '有没有稳健一点的理财'],
	complaint: ['我要投诉', '我之前反映的问题到现在还没处理']
};

const ANGRY_LINES = ['你们到底能不能解决？', '我已经打了好几次了！', '再这样我就打12378了', '怎么又要我等？'];

/** A short agent/customer transcript of a contact (Chinese, speaker-prefixed lines). */
export function writeTranscript(rng: Random, ctx: TranscriptContext): string {
	const c: CommentContext = {
		sentiment: 'neutral',
		reason: ctx.reason,
		channel: ctx.channel,
		waitS: ctx.waitS
	};
	const lines: string[] = [];
	const agentGreeting =
		ctx.channel === 'phone' || ctx.channel === 'video'
			? '您好，很高兴为您服务，请问有什么可以帮您？'
			: '您好，在线客服为您服务，请问有什么可以帮您？';
	lines.push(`坐席：${agentGreeting}`);
	const openings = CUSTOMER_OPENINGS[ctx.reason];
	lines.push(`客户：${fill(rng, openings ? rng.pick(openings) : `我想{fix}`, c)}`);
	if (ctx.angry) lines.push(`客户：${rng.pick(ANGRY_LINES)}`);
	lines.push(
		`坐席：${rng.pick(['好的，先帮您核实一下身份', '好的，请您提供一下卡号', '理解您的心情，我先帮您核实一下'])}`
	);
	const pii = rng.next();
	if (pii < 0.15) lines.push(`客户：卡号是${bankCardNumber(rng)}`);
	else if (pii < 0.22) lines.push(`客户：身份证号${residentIdNumber(rng)}`);
	else if (pii < 0.32) lines.push(`客户：手机号${mobileNumber(rng)}`);
	else lines.push(`客户：尾号${digits(rng, 4)}`);
	if (ctx.outcome === 'resolved') {
		lines.push(
			`坐席：${fill(rng, rng.pick(['已经帮您处理好了，还有其他可以帮您的吗？', '您的业务已经办好了，稍后会有短信通知', '已经帮您登记好了，请放心']), c)}`
		);
		lines.push(`客户：${rng.pick(['好的，谢谢', '行，麻烦了', '好的好的', '谢谢啊'])}`);
	} else if (ctx.outcome === 'transferred') {
		lines.push(`坐席：这个问题需要${ctx.transferTo ?? '专席'}处理，我帮您转接，请稍等`);
		lines.push(`客户：${rng.pick(['又要转啊', '好吧', '能不能快点'])}`);
	} else {
		lines.push(
			`坐席：${fill(rng, rng.pick(['这个需要后台核实，{days}个工作日内给您回复', '系统暂时查不到，我帮您提交工单', '这个我这边处理不了，需要您到网点办理']), c)}`
		);
		lines.push(`客户：${rng.pick(['又要等？', '上次也是这么说的', '那好吧', '我都等了好几天了'])}`);
	}
	return lines.join('\n');
}
