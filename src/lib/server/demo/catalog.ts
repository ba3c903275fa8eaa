/**
 * The simulated bank service center of the demo (远程银行客服中心): teams, agents, queues, contact reasons,
 * regions, channels and segments. Fixed data, independent of the demo seed, so the UI and the seeding code can
 * name every team and agent the generator mentions.
 */
import { CHANNELS, SEGMENTS, type Channel, type Segment } from '$lib/model';
import { createRandom } from './random';

export interface Labelled {
	readonly zh: string;
	readonly en: string;
}

/** The product line a reason or complaint belongs to: the split regulators publish complaint statistics by. */
export const PRODUCT_LINES = [
	'credit_card',
	'debit_card',
	'personal_loan',
	'wealth',
	'account',
	'digital',
	'service'
] as const;
export type ProductLine = (typeof PRODUCT_LINES)[number];

export const PRODUCT_LINE_NAMES: Record<ProductLine, Labelled> = {
	credit_card: { zh: '信用卡', en: 'Credit cards' },
	debit_card: { zh: '借记卡', en: 'Debit cards' },
	personal_loan: { zh: '个人贷款', en: 'Personal loans' },
	wealth: { zh: '理财与存款', en: 'Wealth and deposits' },
	account: { zh: '账户服务', en: 'Accounts' },
	digital: { zh: '电子渠道', en: 'Digital channels' },
	service: { zh: '服务质量', en: 'Service quality' }
};

export const CHANNEL_NAMES: Record<Channel, Labelled> = {
	phone: { zh: '电话人工', en: 'Phone (agent)' },
	ivr: { zh: '语音自助', en: 'IVR' },
	chat: { zh: '在线人工', en: 'Online chat (agent)' },
	bot: { zh: '智能客服', en: 'Chatbot' },
	app: { zh: '手机银行', en: 'Mobile app' },
	wechat: { zh: '微信银行', en: 'WeChat' },
	video: { zh: '视频客服', en: 'Video' },
	branch: { zh: '网点', en: 'Branch' }
};

export interface SegmentInfo extends Labelled {
	readonly id: Segment;
	/** Share of customers. */
	readonly share: number;
	/** Card/relationship tiers customers of this segment hold, with their shares. */
	readonly tiers: readonly { readonly id: TierId; readonly share: number }[];
}

export const TIERS = ['standard', 'gold', 'platinum', 'diamond', 'black'] as const;
export type TierId = (typeof TIERS)[number];
export const TIER_NAMES: Record<TierId, Labelled> = {
	standard: { zh: '普卡', en: 'Standard' },
	gold: { zh: '金卡', en: 'Gold' },
	platinum: { zh: '白金卡', en: 'Platinum' },
	diamond: { zh: '钻石卡', en: 'Diamond' },
	black: { zh: '黑金卡', en: 'Black' }
};

export const SEGMENT_INFO: Record<Segment, SegmentInfo> = {
	mass: {
		id: 'mass',
		zh: '大众',
		en: 'Mass',
		share: 0.85,
		tiers: [
			{ id: 'standard', share: 0.72 },
			{ id: 'gold', share: 0.28 }
		]
	},
	affluent: {
		id: 'affluent',
		zh: '贵宾',
		en: 'Affluent',
		share: 0.13,
		tiers: [
			{ id: 'gold', share: 0.3 },
			{ id: 'platinum', share: 0.7 }
		]
	},
	private: {
		id: 'private',
		zh: '私行',
		en: 'Private banking',
		share: 0.02,
		tiers: [
			{ id: 'diamond', share: 0.65 },
			{ id: 'black', share: 0.35 }
		]
	}
};

export const AGE_BANDS = ['18-25', '26-35', '36-45', '46-55', '56-65', '66+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
/** Share of customers per age band (adults with a bank relationship). */
export const AGE_BAND_SHARES: Record<AgeBand, number> = {
	'18-25': 0.12,
	'26-35': 0.26,
	'36-45': 0.23,
	'46-55': 0.18,
	'56-65': 0.12,
	'66+': 0.09
};
/** Older customers fail face checks more often and prefer the phone (DOMAIN.md, password-reset breakpoint). */
export const ELDERLY_AGE_BANDS: readonly AgeBand[] = ['56-65', '66+'];

export { CHANNELS, SEGMENTS };

// ---------------------------------------------------------------------------------------------------- teams

export const TEAM_IDS = [
	't-cc1',
	't-cc2',
	't-debit',
	't-vip',
	't-pb',
	't-online',
	't-video',
	't-complaint',
	't-fraud',
	't-loan',
	't-wealth',
	't-outbound',
	't-ebank'
] as const;
export type TeamId = (typeof TEAM_IDS)[number];

export interface Team extends Labelled {
	readonly id: TeamId;
	readonly channels: readonly Channel[];
	readonly site: string;
	readonly agents: number;
	/** How much better (+) or worse (−) this team's customers feel and get resolved, in latent-score units. */
	readonly quality: number;
	/** Queue wait multiplier: above 1 the team is short of staff for its load. */
	readonly staffing: number;
}

export const TEAMS: readonly Team[] = [
	{
		id: 't-cc1',
		zh: '信用卡一组',
		en: 'Credit Card Team 1',
		channels: ['phone'],
		site: '上海',
		agents: 18,
		quality: 0.1,
		staffing: 1
	},
	{
		id: 't-cc2',
		zh: '信用卡二组',
		en: 'Credit Card Team 2',
		channels: ['phone'],
		site: '成都',
		agents: 16,
		// A newer team: more transfers, more repeat calls, lower scores — the one a manager should notice.
		quality: -0.35,
		staffing: 1.3
	},
	{
		id: 't-debit',
		zh: '借记卡',
		en: 'Debit Card',
		channels: ['phone'],
		site: '上海',
		agents: 14,
		quality: 0,
		staffing: 1
	},
	{
		id: 't-vip',
		zh: '贵宾专线',
		en: 'Premier Line',
		channels: ['phone', 'video'],
		site: '上海',
		agents: 12,
		quality: 0.3,
		staffing: 0.45
	},
	{
		id: 't-pb',
		zh: '私行专席',
		en: 'Private Banking Desk',
		channels: ['phone', 'video'],
		site: '上海',
		agents: 5,
		quality: 0.5,
		staffing: 0.2
	},
	{
		id: 't-online',
		zh: '在线客服',
		en: 'Online Service',
		channels: ['chat', 'wechat', 'app'],
		site: '成都',
		agents: 22,
		quality: -0.05,
		staffing: 1.15
	},
	{
		id: 't-video',
		zh: '视频客服',
		en: 'Video Service',
		channels: ['video'],
		site: '成都',
		agents: 10,
		quality: 0.15,
		staffing: 1.6
	},
	{
		id: 't-complaint',
		zh: '投诉处理',
		en: 'Complaint Handling',
		channels: ['phone'],
		site: '上海',
		agents: 8,
		quality: -0.15,
		staffing: 1.1
	},
	{
		id: 't-fraud',
		zh: '反欺诈',
		en: 'Anti-Fraud',
		channels: ['phone'],
		site: '上海',
		agents: 9,
		quality: 0.1,
		staffing: 0.6
	},
	{
		id: 't-loan',
		zh: '贷款',
		en: 'Personal Loans',
		channels: ['phone', 'chat'],
		site: '成都',
		agents: 10,
		quality: -0.1,
		staffing: 1.1
	},
	{
		id: 't-wealth',
		zh: '财富',
		en: 'Wealth Management',
		channels: ['phone', 'video'],
		site: '上海',
		agents: 8,
		quality: 0.2,
		staffing: 0.8
	},
	{
		id: 't-outbound',
		zh: '外呼',
		en: 'Outbound',
		channels: ['phone'],
		site: '成都',
		agents: 10,
		quality: -0.1,
		staffing: 1
	},
	{
		id: 't-ebank',
		zh: '电子银行',
		en: 'Digital Banking Support',
		channels: ['phone'],
		site: '成都',
		agents: 10,
		quality: 0,
		staffing: 1
	}
];

export const TEAM_BY_ID: Record<TeamId, Team> = Object.fromEntries(TEAMS.map((t) => [t.id, t])) as Record<
	TeamId,
	Team
>;

// ---------------------------------------------------------------------------------------------------- queues

export interface Queue extends Labelled {
	readonly id: string;
	readonly channel: Channel;
	readonly teamIds: readonly TeamId[];
	/** Outbound queues place calls: there is no customer waiting, so no wait time and no abandonment. */
	readonly outbound?: boolean;
}

export const QUEUES: readonly Queue[] = [
	{
		id: 'q-cc-phone',
		zh: '信用卡热线',
		en: 'Credit card line',
		channel: 'phone',
		teamIds: ['t-cc1', 't-cc2']
	},
	{ id: 'q-debit-phone', zh: '借记卡热线', en: 'Debit card line', channel: 'phone', teamIds: ['t-debit'] },
	{ id: 'q-vip-phone', zh: '贵宾专线', en: 'Premier line', channel: 'phone', teamIds: ['t-vip'] },
	{ id: 'q-pb-phone', zh: '私行专线', en: 'Private banking line', channel: 'phone', teamIds: ['t-pb'] },
	{ id: 'q-online-chat', zh: '网页在线客服', en: 'Web chat', channel: 'chat', teamIds: ['t-online'] },
	{ id: 'q-online-app', zh: '手机银行在线客服', en: 'In-app chat', channel: 'app', teamIds: ['t-online'] },
	{ id: 'q-online-wechat', zh: '微信在线客服', en: 'WeChat chat', channel: 'wechat', teamIds: ['t-online'] },
	{
		id: 'q-video',
		zh: '视频客服',
		en: 'Video service',
		channel: 'video',
		teamIds: ['t-video', 't-vip', 't-pb', 't-wealth']
	},
	{ id: 'q-complaint', zh: '投诉专线', en: 'Complaints line', channel: 'phone', teamIds: ['t-complaint'] },
	{ id: 'q-fraud', zh: '反欺诈专线', en: 'Fraud line', channel: 'phone', teamIds: ['t-fraud'] },
	{ id: 'q-loan-phone', zh: '贷款热线', en: 'Loans line', channel: 'phone', teamIds: ['t-loan'] },
	{ id: 'q-loan-chat', zh: '贷款在线咨询', en: 'Loans chat', channel: 'chat', teamIds: ['t-loan'] },
	{ id: 'q-wealth-phone', zh: '财富热线', en: 'Wealth line', channel: 'phone', teamIds: ['t-wealth'] },
	{
		id: 'q-ebank-phone',
		zh: '电子银行热线',
		en: 'Digital banking line',
		channel: 'phone',
		teamIds: ['t-ebank']
	},
	{
		id: 'q-outbound',
		zh: '外呼回访',
		en: 'Outbound calls',
		channel: 'phone',
		teamIds: ['t-outbound', 't-wealth', 't-complaint'],
		outbound: true
	}
];

export const QUEUE_BY_ID: Record<string, Queue> = Object.fromEntries(QUEUES.map((q) => [q.id, q]));

// ---------------------------------------------------------------------------------------------------- reasons

export const REASON_IDS = [
	'bill_inquiry',
	'repayment',
	'installment',
	'credit_limit',
	'annual_fee',
	'card_activation',
	'card_application',
	'points_rewards',
	'collection',
	'lost_card',
	'fraud_dispute',
	'balance_inquiry',
	'transfer_issue',
	'account_opening',
	'address_change',
	'password_reset',
	'app_login',
	'loan_inquiry',
	'loan_status',
	'loan_repayment',
	'wealth_inquiry',
	'deposit_rate',
	'complaint'
] as const;
export type ReasonId = (typeof REASON_IDS)[number];

export interface ContactReason extends Labelled {
	readonly id: ReasonId;
	readonly product: ProductLine;
	/** Relative share of contacts for a mass-segment customer on an ordinary day. */
	readonly weight: number;
	/** Chance the bot or IVR resolves it without an agent (less 0.06 for the elderly, 0.3 in an incident). */
	readonly selfService: number;
	/** Chance an average agent resolves it on the first answered contact. */
	readonly agentResolve: number;
	readonly medianHandleS: number;
	/** The specialist team for phone contacts (credit-card reasons are split between the two card teams). */
	readonly team: TeamId;
	/** Raised around the card statement (≈ day 5) and repayment (≈ day 25) dates. */
	readonly statementSensitive?: boolean;
	/** How customers feel about the subject itself, in latent-score units (fees and collection feel bad). */
	readonly mood: number;
}

export const REASONS: readonly ContactReason[] = [
	{
		id: 'bill_inquiry',
		zh: '账单查询',
		en: 'Bill inquiry',
		product: 'credit_card',
		weight: 13,
		selfService: 0.9,
		agentResolve: 0.9,
		medianHandleS: 160,
		team: 't-cc1',
		statementSensitive: true,
		mood: 0
	},
	{
		id: 'repayment',
		zh: '信用卡还款',
		en: 'Card repayment',
		product: 'credit_card',
		weight: 9,
		selfService: 0.85,
		agentResolve: 0.88,
		medianHandleS: 185,
		team: 't-cc1',
		statementSensitive: true,
		mood: -0.05
	},
	{
		id: 'installment',
		zh: '账单分期',
		en: 'Instalments',
		product: 'credit_card',
		weight: 6,
		selfService: 0.7,
		agentResolve: 0.85,
		medianHandleS: 260,
		team: 't-cc1',
		statementSensitive: true,
		mood: -0.05
	},
	{
		id: 'credit_limit',
		zh: '额度调整',
		en: 'Credit limit',
		product: 'credit_card',
		weight: 4,
		selfService: 0.62,
		agentResolve: 0.78,
		medianHandleS: 240,
		team: 't-cc1',
		mood: -0.1
	},
	{
		id: 'annual_fee',
		zh: '年费及手续费',
		en: 'Annual and other fees',
		product: 'credit_card',
		weight: 3,
		selfService: 0.45,
		agentResolve: 0.8,
		medianHandleS: 280,
		team: 't-cc1',
		statementSensitive: true,
		mood: -0.35
	},
	{
		id: 'card_activation',
		zh: '卡片激活',
		en: 'Card activation',
		product: 'credit_card',
		weight: 6,
		selfService: 0.93,
		agentResolve: 0.93,
		medianHandleS: 140,
		team: 't-cc1',
		mood: 0.05
	},
	{
		id: 'card_application',
		zh: '办卡进度查询',
		en: 'Card application status',
		product: 'credit_card',
		weight: 3,
		selfService: 0.78,
		agentResolve: 0.85,
		medianHandleS: 165,
		team: 't-cc1',
		mood: -0.1
	},
	{
		id: 'points_rewards',
		zh: '积分权益',
		en: 'Points and rewards',
		product: 'credit_card',
		weight: 3,
		selfService: 0.88,
		agentResolve: 0.9,
		medianHandleS: 185,
		team: 't-cc1',
		mood: 0.1
	},
	{
		id: 'collection',
		zh: '催收相关',
		en: 'Debt collection',
		product: 'credit_card',
		weight: 1,
		selfService: 0.08,
		agentResolve: 0.62,
		medianHandleS: 335,
		team: 't-cc1',
		mood: -0.7
	},
	{
		id: 'lost_card',
		zh: '挂失补卡',
		en: 'Lost card',
		product: 'debit_card',
		weight: 4,
		selfService: 0.85,
		agentResolve: 0.93,
		medianHandleS: 225,
		team: 't-debit',
		mood: -0.05
	},
	{
		id: 'fraud_dispute',
		zh: '盗刷及争议交易',
		en: 'Fraud and disputes',
		product: 'credit_card',
		weight: 1.5,
		selfService: 0.05,
		agentResolve: 0.72,
		medianHandleS: 445,
		team: 't-fraud',
		mood: -0.4
	},
	{
		id: 'balance_inquiry',
		zh: '余额明细查询',
		en: 'Balance and statement',
		product: 'debit_card',
		weight: 11,
		selfService: 0.95,
		agentResolve: 0.95,
		medianHandleS: 130,
		team: 't-debit',
		mood: 0
	},
	{
		id: 'transfer_issue',
		zh: '转账汇款问题',
		en: 'Transfer problem',
		product: 'debit_card',
		weight: 5,
		selfService: 0.5,
		agentResolve: 0.8,
		medianHandleS: 280,
		team: 't-debit',
		mood: -0.2
	},
	{
		id: 'account_opening',
		zh: '开户咨询',
		en: 'Account opening',
		product: 'account',
		weight: 2,
		selfService: 0.5,
		agentResolve: 0.85,
		medianHandleS: 240,
		team: 't-debit',
		mood: -0.1
	},
	{
		id: 'address_change',
		zh: '个人信息变更',
		en: 'Personal details change',
		product: 'account',
		weight: 2,
		selfService: 0.72,
		agentResolve: 0.9,
		medianHandleS: 205,
		team: 't-debit',
		mood: -0.1
	},
	{
		id: 'password_reset',
		zh: '密码重置',
		en: 'Password reset',
		product: 'digital',
		weight: 5,
		selfService: 0.8,
		agentResolve: 0.76,
		medianHandleS: 240,
		team: 't-ebank',
		mood: -0.15
	},
	{
		id: 'app_login',
		zh: '手机银行登录',
		en: 'App login',
		product: 'digital',
		weight: 5,
		selfService: 0.6,
		agentResolve: 0.8,
		medianHandleS: 260,
		team: 't-ebank',
		mood: -0.2
	},
	{
		id: 'loan_inquiry',
		zh: '贷款咨询',
		en: 'Loan inquiry',
		product: 'personal_loan',
		weight: 3,
		selfService: 0.7,
		agentResolve: 0.88,
		medianHandleS: 280,
		team: 't-loan',
		mood: -0.05
	},
	{
		id: 'loan_status',
		zh: '贷款进度查询',
		en: 'Loan status',
		product: 'personal_loan',
		weight: 2,
		selfService: 0.7,
		agentResolve: 0.82,
		medianHandleS: 205,
		team: 't-loan',
		mood: -0.15
	},
	{
		id: 'loan_repayment',
		zh: '贷款还款',
		en: 'Loan repayment',
		product: 'personal_loan',
		weight: 1.5,
		selfService: 0.82,
		agentResolve: 0.88,
		medianHandleS: 225,
		team: 't-loan',
		mood: -0.05
	},
	{
		id: 'wealth_inquiry',
		zh: '理财咨询',
		en: 'Wealth products',
		product: 'wealth',
		weight: 3,
		selfService: 0.5,
		agentResolve: 0.9,
		medianHandleS: 335,
		team: 't-wealth',
		mood: -0.2
	},
	{
		id: 'deposit_rate',
		zh: '存款利率',
		en: 'Deposit rates',
		product: 'wealth',
		weight: 2,
		selfService: 0.93,
		agentResolve: 0.96,
		medianHandleS: 140,
		team: 't-wealth',
		mood: -0.25
	},
	{
		id: 'complaint',
		zh: '投诉建议',
		en: 'Complaint',
		product: 'service',
		weight: 1.2,
		selfService: 0.02,
		agentResolve: 0.58,
		medianHandleS: 485,
		team: 't-complaint',
		mood: -0.9
	}
];

export const REASON_BY_ID: Record<ReasonId, ContactReason> = Object.fromEntries(
	REASONS.map((r) => [r.id, r])
) as Record<ReasonId, ContactReason>;

// ---------------------------------------------------------------------------------------------------- regions

export interface Region extends Labelled {
	readonly id: string;
	/** Relative share of customers. */
	readonly weight: number;
	readonly cities: readonly string[];
	/** A real county-level code of the province (GB/T 2260), for believable resident ID numbers. */
	readonly areaCodes: readonly string[];
}

export const REGIONS: readonly Region[] = [
	{
		id: 'guangdong',
		zh: '广东',
		en: 'Guangdong',
		weight: 12,
		cities: ['广州', '深圳', '东莞', '佛山'],
		areaCodes: ['440106', '440305', '441900', '440604']
	},
	{
		id: 'jiangsu',
		zh: '江苏',
		en: 'Jiangsu',
		weight: 8,
		cities: ['南京', '苏州', '无锡'],
		areaCodes: ['320102', '320505', '320211']
	},
	{
		id: 'shandong',
		zh: '山东',
		en: 'Shandong',
		weight: 7,
		cities: ['济南', '青岛', '烟台'],
		areaCodes: ['370102', '370202', '370602']
	},
	{
		id: 'zhejiang',
		zh: '浙江',
		en: 'Zhejiang',
		weight: 7,
		cities: ['杭州', '宁波', '温州'],
		areaCodes: ['330106', '330203', '330302']
	},
	{
		id: 'henan',
		zh: '河南',
		en: 'Henan',
		weight: 6,
		cities: ['郑州', '洛阳'],
		areaCodes: ['410105', '410302']
	},
	{
		id: 'sichuan',
		zh: '四川',
		en: 'Sichuan',
		weight: 6,
		cities: ['成都', '绵阳'],
		areaCodes: ['510107', '510703']
	},
	{ id: 'beijing', zh: '北京', en: 'Beijing', weight: 5, cities: ['北京'], areaCodes: ['110105', '110108'] },
	{
		id: 'shanghai',
		zh: '上海',
		en: 'Shanghai',
		weight: 5,
		cities: ['上海'],
		areaCodes: ['310104', '310115']
	},
	{
		id: 'hebei',
		zh: '河北',
		en: 'Hebei',
		weight: 5,
		cities: ['石家庄', '唐山', '保定'],
		areaCodes: ['130102', '130203', '130602']
	},
	{
		id: 'hubei',
		zh: '湖北',
		en: 'Hubei',
		weight: 4.5,
		cities: ['武汉', '宜昌'],
		areaCodes: ['420106', '420502']
	},
	{
		id: 'hunan',
		zh: '湖南',
		en: 'Hunan',
		weight: 4.5,
		cities: ['长沙', '株洲'],
		areaCodes: ['430104', '430202']
	},
	{
		id: 'fujian',
		zh: '福建',
		en: 'Fujian',
		weight: 4,
		cities: ['福州', '厦门', '泉州'],
		areaCodes: ['350102', '350203', '350502']
	},
	{
		id: 'anhui',
		zh: '安徽',
		en: 'Anhui',
		weight: 4,
		cities: ['合肥', '芜湖'],
		areaCodes: ['340104', '340202']
	},
	{
		id: 'liaoning',
		zh: '辽宁',
		en: 'Liaoning',
		weight: 3.5,
		cities: ['沈阳', '大连'],
		areaCodes: ['210102', '210202']
	},
	{ id: 'shaanxi', zh: '陕西', en: 'Shaanxi', weight: 3, cities: ['西安'], areaCodes: ['610113'] },
	{
		id: 'chongqing',
		zh: '重庆',
		en: 'Chongqing',
		weight: 3,
		cities: ['重庆'],
		areaCodes: ['500103', '500106']
	},
	{ id: 'yunnan', zh: '云南', en: 'Yunnan', weight: 2.5, cities: ['昆明'], areaCodes: ['530102'] },
	{
		id: 'guangxi',
		zh: '广西',
		en: 'Guangxi',
		weight: 2.5,
		cities: ['南宁', '桂林'],
		areaCodes: ['450103', '450302']
	},
	{ id: 'jiangxi', zh: '江西', en: 'Jiangxi', weight: 2.5, cities: ['南昌'], areaCodes: ['360102'] },
	{ id: 'tianjin', zh: '天津', en: 'Tianjin', weight: 2, cities: ['天津'], areaCodes: ['120101', '120104'] },
	{ id: 'shanxi', zh: '山西', en: 'Shanxi', weight: 2, cities: ['太原'], areaCodes: ['140105'] },
	{
		id: 'heilongjiang',
		zh: '黑龙江',
		en: 'Heilongjiang',
		weight: 2,
		cities: ['哈尔滨'],
		areaCodes: ['230102']
	},
	{ id: 'jilin', zh: '吉林', en: 'Jilin', weight: 1.5, cities: ['长春'], areaCodes: ['220102'] },
	{ id: 'guizhou', zh: '贵州', en: 'Guizhou', weight: 1.5, cities: ['贵阳'], areaCodes: ['520102'] },
	{
		id: 'neimenggu',
		zh: '内蒙古',
		en: 'Inner Mongolia',
		weight: 1.2,
		cities: ['呼和浩特', '包头'],
		areaCodes: ['150102', '150203']
	},
	{ id: 'xinjiang', zh: '新疆', en: 'Xinjiang', weight: 1, cities: ['乌鲁木齐'], areaCodes: ['650102'] },
	{ id: 'gansu', zh: '甘肃', en: 'Gansu', weight: 1, cities: ['兰州'], areaCodes: ['620102'] },
	{
		id: 'hainan',
		zh: '海南',
		en: 'Hainan',
		weight: 0.8,
		cities: ['海口', '三亚'],
		areaCodes: ['460105', '460202']
	}
];

export const REGION_BY_ID: Record<string, Region> = Object.fromEntries(REGIONS.map((r) => [r.id, r]));

// ---------------------------------------------------------------------------------------------------- agents

export const SHIFTS = ['day', 'late', 'night'] as const;
export type Shift = (typeof SHIFTS)[number];
/** China-local hours [from, to) each shift covers; night wraps past midnight. */
export const SHIFT_HOURS: Record<Shift, readonly [number, number]> = {
	day: [8, 17],
	late: [12, 22],
	night: [21, 9]
};

export interface Agent {
	readonly id: string;
	readonly name: string;
	readonly teamId: TeamId;
	readonly shift: Shift;
	/** Latent skill: resolution and satisfaction shift (team quality included); a few stand out either way. */
	readonly skill: number;
	/** Handle-time multiplier (below 1: quicker than the team). */
	readonly speed: number;
}

/** The most common Chinese surnames, roughly by frequency. */
const SURNAMES = [
	...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈'
];
const GIVEN_NAMES =
	'伟 芳 娜 敏 静 丽 强 磊 洋 艳 勇 军 杰 娟 涛 超 明 霞 秀英 婷 雪 慧 晨 颖 佳怡 思雨 子涵 欣怡 浩然 宇航 雨萱 梓萱 一鸣 志强 晓燕 海燕 建华 丽娟 文静 春梅 俊杰 嘉怡 晓东 玉兰 思远 梦瑶 诗涵 天宇 凯 琳'.split(
		' '
	);

/** The 150-odd agents, generated once from a fixed seed so every demo names the same people. */
function buildAgents(): Agent[] {
	const rng = createRandom(20240601);
	const used = new Set<string>();
	const agents: Agent[] = [];
	for (const team of TEAMS) {
		for (let i = 0; i < team.agents; i++) {
			let name = rng.pick(SURNAMES) + rng.pick(GIVEN_NAMES);
			while (used.has(name)) name = rng.pick(SURNAMES) + rng.pick(GIVEN_NAMES);
			used.add(name);
			// Every team covers day and late shifts; the lines that run 24 h keep a small night crew.
			const nightCrew = ['t-cc1', 't-debit', 't-fraud', 't-online', 't-vip', 't-ebank'].includes(team.id);
			const shift: Shift = nightCrew && i % 6 === 5 ? 'night' : i % 2 === 0 ? 'day' : 'late';
			const standout = rng.next();
			const skill = team.quality + rng.normal(0, 0.25) + (standout < 0.06 ? 0.7 : standout > 0.94 ? -0.7 : 0);
			agents.push({
				id: `a-${String(agents.length + 1).padStart(4, '0')}`,
				name,
				teamId: team.id,
				shift,
				skill: Math.round(skill * 1000) / 1000,
				speed: Math.round(rng.lognormal(1, 0.12) * 1000) / 1000
			});
		}
	}
	return agents;
}

export const AGENTS: readonly Agent[] = buildAgents();
export const AGENT_BY_ID: Record<string, Agent> = Object.fromEntries(AGENTS.map((a) => [a.id, a]));

/** Whether an agent of this shift works at a China-local hour. */
export function onShift(shift: Shift, hour: number): boolean {
	const [from, to] = SHIFT_HOURS[shift];
	return from < to ? hour >= from && hour < to : hour >= from || hour < to;
}
