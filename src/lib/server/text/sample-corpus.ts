import { seededRandom } from './cluster';

/**
 * A generator of believable bank contact-center comments (mostly Chinese, some English), each with the theme it was
 * written for and the sentiment it was written with. For tests (planted topics), the benchmark and demo data.
 */
export const SAMPLE_THEMES = [
	'fraud',
	'lost_card',
	'ivr',
	'app_login',
	'fees',
	'credit_limit',
	'wealth',
	'loan',
	'branch_queue',
	'praise',
	'double_recording',
	'repayment'
] as const;
export type SampleTheme = (typeof SAMPLE_THEMES)[number];

export interface SampleComment {
	text: string;
	theme: SampleTheme;
	/** The tone the Chinese line was written with; English lines are drawn regardless of tone and say 'neutral'. */
	tone: 'positive' | 'negative' | 'neutral';
	language: 'zh' | 'en';
}

type Pick = <T>(items: readonly T[]) => T;

interface ThemeTemplates {
	negative: readonly string[];
	positive: readonly string[];
	neutral: readonly string[];
	english: readonly string[];
}

/** `{a|b|c}` picks one alternative. */
function expand(template: string, pick: Pick): string {
	return template.replace(/\{([^{}]+)\}/g, (_, alts: string) => pick(alts.split('|')));
}

const THEMES: Record<SampleTheme, ThemeTemplates> = {
	fraud: {
		negative: [
			'我的信用卡被盗刷了{两笔|三笔|一笔}，{客服只让我等|到现在还没有结果|处理太慢了}',
			'{凌晨|昨天晚上|刚刚}收到盗刷短信，{卡被冻结|打客服打了半天才通|钱还没退回来}，很着急',
			'盗刷的钱{一直没退|拖了两周还没处理|说要调查很久}，{太失望了|非常不满意|你们的风控有问题}',
			'借记卡被盗刷{五千|两千|八百}元，{报警回执也上传了|已经冻结了卡}，{进度一直查不到|没人跟进}'
		],
		positive: [
			'卡被盗刷后客服{马上|第一时间}帮我冻结了，{钱也追回来了|很专业|非常感谢}',
			'盗刷{争议处理|调查}很快，{三天就退款了|客服全程跟进}，{很满意|给你们点赞}'
		],
		neutral: ['想问一下盗刷{争议|调查}的进度', '盗刷报案需要{准备什么材料|上传哪些资料}'],
		english: [
			'My card was {stolen|skimmed} and {the refund is still pending|nobody called me back}',
			'Fraud team {froze my card quickly|resolved the dispute fast}, {thanks|great job}'
		]
	},
	lost_card: {
		negative: [
			'挂失{在语音菜单里藏得太深|要按好多层菜单}，{找了半天|急死人了}',
			'补卡要{等十五天|跑网点}，{太麻烦了|很不方便}',
			'{卡丢了|钱包被偷了}想挂失，{转人工排了二十分钟|电话一直占线}'
		],
		positive: [
			'挂失{很快|很顺利}，{新卡|补的卡}{三天就寄到了|已经激活}，谢谢',
			'手机银行挂失{很方便|一分钟就搞定了}'
		],
		neutral: ['{信用卡|借记卡}挂失后{怎么补卡|多久能收到新卡}', '挂失需要{本人去网点吗|带什么证件}'],
		english: [
			'Reporting a lost card {took forever in the phone menu|was hard to find}',
			'Lost my card, {how do I get a new one|what is the fee for a replacement}'
		]
	},
	ivr: {
		negative: [
			'转人工{太难了|转不了}，{机器人听不懂|一直让我按键|绕来绕去}',
			'智能客服{答非所问|完全没用}，{转人工还要排队|等了半天才接通}',
			'人工客服{一直占线|打不通}，{打了五次|等了四十分钟}{才接通|都没人接}'
		],
		positive: [
			'人工客服{接得很快|不用排队}，{服务很好|解答很清楚}',
			'智能客服{这次很聪明|一下就听懂了}，{很方便|点赞}'
		],
		neutral: ['怎么{直接转人工|跳过语音菜单}', '人工客服{几点上班|周末有没有}'],
		english: [
			'{Could not reach|Waited an hour for} a human agent, {the bot is useless|very frustrating}',
			'The voice menu {is confusing|keeps looping}'
		]
	},
	app_login: {
		negative: [
			'手机银行{登不上|闪退|一直卡顿}，{验证码收不到|人脸识别总是失败}',
			'{人脸识别|刷脸}{一直通不过|老是失败}，{老人根本用不了|只能去网点}',
			'验证码{收不到|过期太快}，{转账转不了|登录不了}，{很烦|太耽误事了}',
			'新版手机银行{太难用了|找不到转账入口|界面很乱}'
		],
		positive: [
			'手机银行{很好用|很流畅}，{转账方便|界面清爽}',
			'人脸识别{一次就通过了|很快}，{体验不错|很方便}'
		],
		neutral: ['手机银行{怎么改登录密码|怎么开通}', '验证码{发到哪个手机号|可以换手机号接收吗}'],
		english: [
			'The app {keeps crashing|will not let me log in}, {very annoying|the SMS code never arrives}',
			'Face recognition {failed again|does not work}'
		]
	},
	fees: {
		negative: [
			'信用卡年费{莫名其妙被扣了|没提前通知就扣了}，{乱收费|太坑了}',
			'{分期手续费|跨行转账手续费}{太高了|不透明}，{感觉被坑了|要求退还}',
			'{短信服务费|账户管理费}{凭什么收|从来没同意过}，{很不合理|我要投诉}'
		],
		positive: ['客服帮我{免了年费|减免了手续费}，{很感谢|服务很好}'],
		neutral: ['{白金卡|金卡}年费{多少钱|怎么免}', '{年费|手续费}{什么时候扣|能不能减免}'],
		english: [
			'Charged an annual fee {without notice|twice}, {not happy|please refund}',
			'What is the {annual fee|transfer fee} for this card'
		]
	},
	credit_limit: {
		negative: [
			'{提额|调额}申请{一直被拒|又失败了}，{不知道原因|很失望}',
			'额度{突然被降了|太低了}，{没有任何通知|很不方便}'
		],
		positive: ['{提额|临时额度}{秒批|很快就批了}，{体验很好|谢谢}'],
		neutral: [
			'想{提额|申请临时额度}，{需要什么条件|怎么申请}',
			'想{升级白金卡|了解一下白金卡}，{额度能到多少|有什么权益}'
		],
		english: [
			'I would like a {higher limit|credit limit increase}',
			'My limit was {cut without warning|too low}'
		]
	},
	wealth: {
		negative: [
			'{理财|基金}{亏了不少|收益太低}，{理财经理当时没说风险|很后悔}',
			'理财经理{一直推销|总打电话推销}，{很烦|别再打了}'
		],
		positive: ['理财经理{很专业|讲得很清楚}，{推荐的产品不错|收益稳定}'],
		neutral: ['想了解一下{理财产品|基金定投|大额存单}', '{有没有|推荐一下}{稳健的理财|利率高一点的存款}'],
		english: [
			'Interested in {wealth management products|a fixed deposit}',
			'Please tell me about {your funds|investment options}'
		]
	},
	loan: {
		negative: [
			'{贷款|房贷}审批{太慢了|拖了一个月}，{材料上传一直失败|没人告诉进度}',
			'{消费贷|经营贷}{利率太高|被拒了也不说原因}'
		],
		positive: ['{贷款|消费贷}{当天就放款了|审批很快}，{很满意|客户经理很负责}'],
		neutral: ['想办{贷款|房贷|车贷}，{需要什么材料|利率多少}', '{提前还款|贷款进度}怎么查'],
		english: [
			'Loan approval {is taking weeks|keeps failing at document upload}',
			'I want to apply for a {mortgage|personal loan}'
		]
	},
	branch_queue: {
		negative: [
			'网点排队{排了一个小时|人太多}，{只开了一个窗口|等了半天}',
			'{网点|营业厅}{态度很差|工作人员不耐烦}，{让我来回跑|办个业务要三次}'
		],
		positive: ['网点{大堂经理很热情|工作人员很耐心}，{没怎么排队|很快就办好了}'],
		neutral: ['{最近的网点|营业厅}{在哪里|几点开门}', '网点{周末营业吗|能办理外币业务吗}'],
		english: [
			'Waited an hour at the branch, {only one counter open|terrible}',
			'The branch staff were {friendly|very helpful}'
		]
	},
	praise: {
		negative: ['客服{态度恶劣|不耐烦}，{直接挂电话|说话很冲}'],
		positive: [
			'客服{小姐姐|专员}{非常耐心|很专业|态度很好}，{问题一次就解决了|讲解很清楚}，{谢谢|点赞}',
			'{今天的|这位}客服{服务特别好|很有耐心}，{非常满意|五星好评}',
			'感谢客服{耐心解答|帮我解决问题}，{服务很周到|很贴心}'
		],
		neutral: ['{客服工号|这位客服}是多少'],
		english: [
			'The agent was {very patient|extremely helpful}, {thank you|great service}',
			'Excellent service, {problem solved quickly|very professional}'
		]
	},
	double_recording: {
		negative: [
			'双录{流程太长了|要录好几遍}，{老人家坐不住|很折腾}',
			'{双录|录音录像}{中途失败|系统卡住}，{又要重新录|浪费时间}'
		],
		positive: ['双录{很顺利|工作人员指导得很清楚}，{很快就完成了|体验不错}'],
		neutral: ['{买理财|买保险}为什么要双录', '双录{需要多久|要准备什么}'],
		english: ['The double recording for my investment {took too long|failed twice}']
	},
	repayment: {
		negative: [
			'{还款|自动还款}{没扣成功|显示逾期}，{影响征信怎么办|没人提醒我}',
			'{账单分期|最低还款}的利息{说得不清不楚|太高了}'
		],
		positive: ['{还款|分期}提醒{很及时|很贴心}，{很方便|点赞}'],
		neutral: ['{还款日|账单日}是哪天', '想{办账单分期|改还款日}，{怎么操作|手续费多少}'],
		english: ['My repayment {was not credited|shows overdue}, {please fix|worried about my credit report}']
	}
};

const SUGGESTION_TAILS = [
	'，建议{优化一下流程|增加人工坐席|把挂失放到菜单前面}',
	'，希望{尽快改进|能快一点|简化手续}',
	'，能不能{增加一个入口|提前通知一下}'
];
const COMPETITOR_TAILS = [
	'，{工行|建行|招行|支付宝}的{app|服务}{比你们好用多了|就没这个问题}',
	'，我在{招商银行|工商银行|农业银行}办{都没这么麻烦|很快}',
	'，再这样我就{换到招行|用微信支付}了'
];
const RISK_TAILS = ['，我要{打12378投诉|向金融监管总局反映|找媒体曝光}', '，再不处理我就{报警|找律师起诉}了'];
const LEAD_TAILS = ['，另外想了解一下{理财产品|大额存单}', '，顺便问下{白金卡|提额}怎么申请'];

/**
 * `count` comments from a seed: themes uniform (or weighted by `weights`), tones about 45% negative, 30% positive,
 * 25% neutral, English about 8%, and tails that carry suggestions, competitors, risk words and leads now and then.
 */
export function sampleComments(
	count: number,
	seed = 1,
	options: {
		themes?: readonly SampleTheme[];
		weights?: Partial<Record<SampleTheme, number>>;
		english?: number;
	} = {}
): SampleComment[] {
	const random = seededRandom(seed);
	const pick: Pick = (items) => items[Math.floor(random() * items.length)];
	const themes = options.themes ?? SAMPLE_THEMES;
	const weights = themes.map((t) => options.weights?.[t] ?? 1);
	const totalWeight = weights.reduce((a, b) => a + b, 0);
	const english = options.english ?? 0.08;
	const out: SampleComment[] = [];
	for (let i = 0; i < count; i++) {
		let r = random() * totalWeight;
		let theme = themes[themes.length - 1];
		for (let t = 0; t < themes.length; t++) {
			r -= weights[t];
			if (r <= 0) {
				theme = themes[t];
				break;
			}
		}
		const templates = THEMES[theme];
		const roll = random();
		const tone = roll < 0.45 ? 'negative' : roll < 0.75 ? 'positive' : 'neutral';
		if (random() < english) {
			out.push({ text: expand(pick(templates.english), pick), theme, tone: 'neutral', language: 'en' });
			continue;
		}
		let text = expand(pick(templates[tone]), pick);
		if (tone === 'negative') {
			const extra = random();
			if (extra < 0.15) text += expand(pick(SUGGESTION_TAILS), pick);
			else if (extra < 0.22) text += expand(pick(COMPETITOR_TAILS), pick);
			else if (extra < 0.27) text += expand(pick(RISK_TAILS), pick);
		} else if (random() < 0.08) text += expand(pick(LEAD_TAILS), pick);
		out.push({ text: `${text}${pick(['', '。', '！', ''])}`, theme, tone, language: 'zh' });
	}
	return out;
}
