/**
 * The eight demo journeys of DOMAIN.md as data: ordered stages of steps (with their exact event names), the
 * alternatives at a stage, channels, typical time between steps and the breakpoints (服务断点) where customers
 * drop, fail and retry, or switch channel. The generator walks these definitions, so the rates below are the
 * rates the demo shows; a later issue can preload the same data as journey definitions.
 */
import type { Channel } from '$lib/model';
import type { Labelled, ProductLine, ReasonId } from './catalog';

export const JOURNEY_KEYS = [
	'card_acquisition',
	'lost_card',
	'fraud_dispute',
	'personal_loan',
	'remote_account_opening',
	'password_reset',
	'complaint',
	'wealth_product'
] as const;
export type JourneyKey = (typeof JOURNEY_KEYS)[number];

export interface JourneyStep extends Labelled {
	/** The event name (`journey` events carry it in `name`). */
	readonly name: string;
	/** Channels the step happens on, with weights; empty for back-office steps the customer does not see. */
	readonly channels: readonly { readonly channel: Channel; readonly weight: number }[];
	/** Typical time since the previous step, seconds: the median and the 90th percentile (log-normal between). */
	readonly after: { readonly medianS: number; readonly p90S: number };
	/** Share among the alternatives of its stage (approved | declined). */
	readonly share?: number;
	/** The journey ends at this step (declined). */
	readonly final?: boolean;
	/** On these channels the step is an interaction with the center, so a `contact` event goes with it. */
	readonly contact?: {
		readonly reason: ReasonId;
		readonly channels: readonly Channel[];
		/** The bank calls the customer (outbound team): no queue wait. */
		readonly outbound?: boolean;
	};
	/** Reaching this step files a complaint and starts the complaint journey. */
	readonly opensComplaint?: boolean;
}

export interface JourneyStage {
	/** Alternatives at this position; most stages have exactly one step. */
	readonly steps: readonly JourneyStep[];
	/** Only customers whose previous step failed (and did not recover) take this stage. */
	readonly onlyAfterFailure?: boolean;
}

/**
 * - `drop`: share of customers who reach `step` and go no further;
 * - `retry`: share whose attempt at `step` fails (a `failed` step event); `recoverRate` of them succeed on a
 *   second attempt, the rest take the next failure-only stage or stop;
 * - `channel_switch`: share who attempt `step` on one of `fromChannels`, give up there and complete it on the
 *   contact's channel (failure demand);
 * - `failure_demand`: share who contact the center after `step` (after a failed `step` when `onFailure`),
 *   e.g. "where is my application" calls; the journey goes on;
 * - `loop`: share who go back from `step` to `backTo` and walk on from there again (a reopened ticket).
 */
export type BreakpointKind = 'drop' | 'retry' | 'channel_switch' | 'failure_demand' | 'loop';

export interface JourneyBreakpoint extends Labelled {
	readonly id: string;
	readonly step: string;
	readonly kind: BreakpointKind;
	readonly rate: number;
	/** The rate for customers aged 56 and over, where it differs (face checks). */
	readonly elderlyRate?: number;
	/** retry: share of failed customers who succeed on the second attempt. */
	readonly recoverRate?: number;
	readonly contact?: { readonly channel: Channel; readonly reason: ReasonId; readonly withinHours: number };
	readonly fromChannels?: readonly Channel[];
	readonly onFailure?: boolean;
	readonly backTo?: string;
	/** drop: a property stamped on the last step event, so the reason for stopping is visible (declined). */
	readonly property?: readonly [string, string];
}

export interface JourneyDefinition extends Labelled {
	readonly key: JourneyKey;
	readonly product: ProductLine;
	/** The contact reason customers give when they call about this journey. */
	readonly reason: ReasonId;
	readonly stages: readonly JourneyStage[];
	readonly breakpoints: readonly JourneyBreakpoint[];
	/** Customers starting the journey per weekday at scale 1 (complaints start from contacts instead). */
	readonly startsPerDay: number;
	/** Share of starters who are new to the bank. */
	readonly newCustomerShare: number;
	/** Share of customers who answer the end-of-journey survey. */
	readonly surveyRate: number;
	/** How the journey feels on top of its contacts, in latent-score units (credit cards score lower). */
	readonly mood: number;
	/** Handling limit in days (the 15-day complaint rule); later closures are flagged `overdue`. */
	readonly slaDays?: number;
}

const MIN = 60;
const HOUR = 3_600;
const DAY = 86_400;

function at(medianS: number, p90S: number) {
	return { medianS, p90S };
}
function on(...pairs: [Channel, number][]) {
	return pairs.map(([channel, weight]) => ({ channel, weight }));
}
const BACK_OFFICE: readonly { channel: Channel; weight: number }[] = [];

export const JOURNEYS: readonly JourneyDefinition[] = [
	{
		key: 'card_acquisition',
		zh: '信用卡申请',
		en: 'Credit card acquisition',
		product: 'credit_card',
		reason: 'card_application',
		startsPerDay: 95,
		newCustomerShare: 0.55,
		surveyRate: 0.22,
		mood: -0.1,
		stages: [
			{
				steps: [
					{
						name: 'card_app_started',
						zh: '开始申请',
						en: 'Application started',
						channels: on(['app', 0.7], ['wechat', 0.3]),
						after: at(0, 0)
					}
				]
			},
			{
				steps: [
					{
						name: 'card_app_submitted',
						zh: '提交申请',
						en: 'Application submitted',
						channels: on(['app', 0.7], ['wechat', 0.3]),
						after: at(9 * MIN, 6 * HOUR)
					}
				]
			},
			{
				steps: [
					{
						name: 'id_face_verified',
						zh: '视频面签',
						en: 'Identity verified on video',
						channels: on(['video', 1]),
						after: at(3 * HOUR, 30 * HOUR),
						contact: { reason: 'card_application', channels: ['video'] }
					}
				]
			},
			{
				steps: [
					{
						name: 'credit_decided',
						zh: '审批决定',
						en: 'Credit decision',
						channels: BACK_OFFICE,
						after: at(DAY, 3 * DAY)
					}
				]
			},
			{
				steps: [
					{
						name: 'card_mailed',
						zh: '卡片寄出',
						en: 'Card mailed',
						channels: BACK_OFFICE,
						after: at(DAY, 2 * DAY)
					}
				]
			},
			{
				steps: [
					{
						name: 'card_activated',
						zh: '卡片激活',
						en: 'Card activated',
						channels: on(['app', 0.55], ['ivr', 0.3], ['wechat', 0.15]),
						after: at(4 * DAY, 12 * DAY),
						contact: { reason: 'card_activation', channels: ['ivr'] }
					}
				]
			},
			{
				steps: [
					{
						name: 'first_txn',
						zh: '首笔交易',
						en: 'First transaction',
						channels: on(['app', 0.6], ['wechat', 0.4]),
						after: at(3 * DAY, 14 * DAY)
					}
				]
			}
		],
		breakpoints: [
			{
				id: 'form_abandonment',
				step: 'card_app_started',
				kind: 'drop',
				rate: 0.34,
				zh: '申请表填写中途放弃',
				en: 'Form abandonment'
			},
			{
				id: 'where_is_my_application',
				step: 'card_app_submitted',
				kind: 'failure_demand',
				rate: 0.14,
				contact: { channel: 'phone', reason: 'card_application', withinHours: 24 },
				zh: '“我的申请到哪了”来电',
				en: '"Where is my application" calls'
			},
			{
				id: 'face_sign_no_show',
				step: 'card_app_submitted',
				kind: 'drop',
				rate: 0.08,
				zh: '未完成视频面签',
				en: 'Video identity check never done'
			},
			{
				id: 'declined',
				step: 'credit_decided',
				kind: 'drop',
				rate: 0.3,
				property: ['decision', 'declined'],
				zh: '审批未通过',
				en: 'Declined'
			},
			{
				id: 'never_activated',
				step: 'card_mailed',
				kind: 'drop',
				rate: 0.18,
				zh: '卡片寄出后未激活',
				en: 'Card never activated'
			},
			{
				id: 'no_first_use',
				step: 'card_activated',
				kind: 'drop',
				rate: 0.14,
				zh: '激活后未用卡',
				en: 'Activated but never used'
			}
		]
	},
	{
		key: 'lost_card',
		zh: '挂失补卡',
		en: 'Lost card',
		product: 'debit_card',
		reason: 'lost_card',
		startsPerDay: 32,
		newCustomerShare: 0.05,
		surveyRate: 0.2,
		mood: -0.2,
		stages: [
			{
				steps: [
					{
						name: 'loss_reported',
						zh: '挂失',
						en: 'Loss reported',
						channels: on(['ivr', 0.5], ['app', 0.35], ['phone', 0.15]),
						after: at(0, 0),
						contact: { reason: 'lost_card', channels: ['ivr', 'phone'] }
					}
				]
			},
			{
				steps: [
					{
						name: 'card_blocked',
						zh: '卡片冻结',
						en: 'Card blocked',
						channels: BACK_OFFICE,
						after: at(5, 60)
					}
				]
			},
			{
				steps: [
					{
						name: 'identity_verified',
						zh: '身份核验',
						en: 'Identity verified',
						channels: on(['app', 0.45], ['phone', 0.4], ['video', 0.15]),
						after: at(3 * MIN, HOUR)
					}
				]
			},
			{
				steps: [
					{
						name: 'reissue_requested',
						zh: '申请补卡',
						en: 'Reissue requested',
						channels: on(['app', 0.5], ['phone', 0.38], ['branch', 0.12]),
						after: at(10 * MIN, 2 * DAY)
					}
				]
			},
			{
				steps: [
					{
						name: 'new_card_mailed',
						zh: '新卡寄出',
						en: 'New card mailed',
						channels: BACK_OFFICE,
						after: at(2 * DAY, 4 * DAY)
					}
				]
			},
			{
				steps: [
					{
						name: 'new_card_activated',
						zh: '新卡激活',
						en: 'New card activated',
						channels: on(['app', 0.6], ['ivr', 0.3], ['wechat', 0.1]),
						after: at(3 * DAY, 10 * DAY),
						contact: { reason: 'card_activation', channels: ['ivr'] }
					}
				]
			}
		],
		breakpoints: [
			{
				id: 'ivr_menu_buried',
				step: 'loss_reported',
				kind: 'channel_switch',
				rate: 0.22,
				elderlyRate: 0.38,
				fromChannels: ['ivr'],
				contact: { channel: 'phone', reason: 'lost_card', withinHours: 0.2 },
				zh: '挂失入口藏在语音菜单深处，转人工',
				en: 'Loss reporting buried deep in the IVR menu'
			},
			{
				id: 'no_reissue',
				step: 'identity_verified',
				kind: 'drop',
				rate: 0.1,
				zh: '挂失后未补卡',
				en: 'No reissue after blocking'
			},
			{
				id: 'new_card_not_activated',
				step: 'new_card_mailed',
				kind: 'drop',
				rate: 0.14,
				zh: '新卡未激活',
				en: 'New card never activated'
			}
		]
	},
	{
		key: 'fraud_dispute',
		zh: '盗刷争议',
		en: 'Fraud and dispute',
		product: 'credit_card',
		reason: 'fraud_dispute',
		startsPerDay: 10,
		newCustomerShare: 0.02,
		surveyRate: 0.25,
		mood: -0.08,
		stages: [
			{
				steps: [
					{
						name: 'fraud_alert_sms',
						zh: '风险交易短信提醒',
						en: 'Fraud alert sent',
						channels: on(['app', 0.6], ['wechat', 0.4]),
						after: at(0, 0)
					}
				]
			},
			{
				steps: [
					{
						name: 'call_agent',
						zh: '致电人工',
						en: 'Called an agent',
						channels: on(['phone', 1]),
						after: at(8 * MIN, 2 * HOUR),
						contact: { reason: 'fraud_dispute', channels: ['phone'] }
					}
				]
			},
			{
				steps: [
					{
						name: 'card_frozen',
						zh: '卡片止付',
						en: 'Card frozen',
						channels: BACK_OFFICE,
						after: at(30, 3 * MIN)
					}
				]
			},
			{
				steps: [
					{
						name: 'police_report_uploaded',
						zh: '上传报案回执',
						en: 'Police report uploaded',
						channels: on(['app', 1]),
						after: at(DAY, 3 * DAY)
					}
				]
			},
			{
				steps: [
					{
						name: 'dispute_filed',
						zh: '提交争议申请',
						en: 'Dispute filed',
						channels: on(['app', 0.6], ['phone', 0.4]),
						after: at(4 * HOUR, 2 * DAY)
					}
				]
			},
			{
				steps: [
					{
						name: 'investigation',
						zh: '调查处理',
						en: 'Investigation',
						channels: BACK_OFFICE,
						after: at(DAY, 3 * DAY)
					}
				]
			},
			{
				steps: [
					{
						name: 'dispute_resolved',
						zh: '争议解决',
						en: 'Dispute resolved',
						channels: on(['app', 0.6], ['phone', 0.4]),
						after: at(10 * DAY, 25 * DAY),
						share: 0.9
					},
					{
						name: 'complaint_opened',
						zh: '转为投诉',
						en: 'Complaint opened',
						channels: on(['phone', 1]),
						after: at(12 * DAY, 30 * DAY),
						share: 0.1,
						opensComplaint: true
					}
				]
			}
		],
		breakpoints: [
			{
				id: 'own_transaction',
				step: 'fraud_alert_sms',
				kind: 'drop',
				rate: 0.12,
				zh: '确认为本人交易',
				en: 'Confirmed as own transaction'
			},
			{
				id: 'no_police_report',
				step: 'card_frozen',
				kind: 'drop',
				rate: 0.2,
				zh: '止付后未上传报案回执',
				en: 'No police report after freezing'
			},
			{
				id: 'upload_failure',
				step: 'police_report_uploaded',
				kind: 'retry',
				rate: 0.15,
				recoverRate: 0.7,
				zh: '回执上传失败',
				en: 'Upload failures'
			},
			{
				id: 'chasing_calls',
				step: 'dispute_filed',
				kind: 'failure_demand',
				rate: 0.3,
				contact: { channel: 'phone', reason: 'fraud_dispute', withinHours: 120 },
				zh: '反复来电催进度',
				en: 'Calls chasing the dispute'
			}
		]
	},
	{
		key: 'personal_loan',
		zh: '个人贷款',
		en: 'Personal loan',
		product: 'personal_loan',
		reason: 'loan_status',
		startsPerDay: 50,
		newCustomerShare: 0.25,
		surveyRate: 0.2,
		mood: -0.1,
		stages: [
			{
				steps: [
					{
						name: 'loan_inquiry',
						zh: '贷款咨询',
						en: 'Loan inquiry',
						channels: on(['app', 0.45], ['bot', 0.35], ['phone', 0.2]),
						after: at(0, 0),
						contact: { reason: 'loan_inquiry', channels: ['bot', 'phone'] }
					}
				]
			},
			{
				steps: [
					{
						name: 'loan_app_submitted',
						zh: '提交贷款申请',
						en: 'Application submitted',
						channels: on(['app', 1]),
						after: at(HOUR, 3 * DAY)
					}
				]
			},
			{
				steps: [
					{
						name: 'docs_uploaded',
						zh: '上传资料',
						en: 'Documents uploaded',
						channels: on(['app', 1]),
						after: at(30 * MIN, DAY)
					}
				]
			},
			{
				steps: [
					{
						name: 'credit_checked',
						zh: '征信审核',
						en: 'Credit checked',
						channels: BACK_OFFICE,
						after: at(4 * HOUR, 2 * DAY)
					}
				]
			},
			{
				steps: [
					{
						name: 'approved',
						zh: '审批通过',
						en: 'Approved',
						channels: on(['app', 1]),
						after: at(HOUR, 8 * HOUR),
						share: 0.6
					},
					{
						name: 'declined',
						zh: '审批拒绝',
						en: 'Declined',
						channels: on(['app', 1]),
						after: at(HOUR, 8 * HOUR),
						share: 0.4,
						final: true
					}
				]
			},
			{
				steps: [
					{
						name: 'contract_esigned',
						zh: '电子签约',
						en: 'Contract e-signed',
						channels: on(['app', 1]),
						after: at(2 * HOUR, 2 * DAY)
					}
				]
			},
			{
				steps: [
					{
						name: 'disbursed',
						zh: '放款',
						en: 'Disbursed',
						channels: BACK_OFFICE,
						after: at(HOUR, DAY)
					}
				]
			}
		],
		breakpoints: [
			{
				id: 'inquiry_only',
				step: 'loan_inquiry',
				kind: 'drop',
				rate: 0.45,
				zh: '咨询后未申请',
				en: 'Inquiry only'
			},
			{
				id: 'status_calls',
				step: 'loan_app_submitted',
				kind: 'failure_demand',
				rate: 0.2,
				contact: { channel: 'phone', reason: 'loan_status', withinHours: 48 },
				zh: '来电查询审批进度',
				en: 'Status-check calls'
			},
			{
				id: 'upload_failure',
				step: 'docs_uploaded',
				kind: 'retry',
				rate: 0.2,
				elderlyRate: 0.32,
				recoverRate: 0.65,
				zh: '资料上传失败',
				en: 'Upload failures'
			},
			{
				id: 'not_signed',
				step: 'approved',
				kind: 'drop',
				rate: 0.1,
				zh: '审批通过后未签约',
				en: 'Approved but not signed'
			}
		]
	},
	{
		key: 'remote_account_opening',
		zh: '远程开户',
		en: 'Remote account opening',
		product: 'account',
		reason: 'account_opening',
		startsPerDay: 55,
		newCustomerShare: 0.9,
		surveyRate: 0.2,
		mood: 0,
		stages: [
			{
				steps: [
					{
						name: 'open_started',
						zh: '开始开户',
						en: 'Opening started',
						channels: on(['app', 1]),
						after: at(0, 0)
					}
				]
			},
			{
				steps: [
					{
						name: 'id_ocr',
						zh: '证件识别',
						en: 'ID document scanned',
						channels: on(['app', 1]),
						after: at(2 * MIN, 20 * MIN)
					}
				]
			},
			{
				steps: [
					{
						name: 'face_liveness',
						zh: '活体检测',
						en: 'Liveness check',
						channels: on(['app', 1]),
						after: at(MIN, 10 * MIN)
					}
				]
			},
			{
				steps: [
					{
						name: 'video_witness',
						zh: '视频见证',
						en: 'Video witness',
						channels: on(['video', 1]),
						after: at(10 * MIN, DAY),
						contact: { reason: 'account_opening', channels: ['video'] }
					}
				]
			},
			{
				steps: [
					{
						name: 'account_opened',
						zh: '开户成功',
						en: 'Account opened',
						channels: BACK_OFFICE,
						after: at(10 * MIN, 2 * HOUR)
					}
				]
			},
			{
				steps: [
					{
						name: 'first_deposit',
						zh: '首笔入金',
						en: 'First deposit',
						channels: on(['app', 1]),
						after: at(DAY, 10 * DAY)
					}
				]
			}
		],
		breakpoints: [
			{
				id: 'early_exit',
				step: 'open_started',
				kind: 'drop',
				rate: 0.1,
				zh: '开户流程初期退出',
				en: 'Early exit'
			},
			{
				id: 'ocr_failure',
				step: 'id_ocr',
				kind: 'retry',
				rate: 0.08,
				recoverRate: 0.6,
				zh: '证件识别失败',
				en: 'ID scan failures'
			},
			{
				id: 'liveness_failure',
				step: 'face_liveness',
				kind: 'retry',
				rate: 0.15,
				elderlyRate: 0.4,
				recoverRate: 0.5,
				zh: '活体检测失败',
				en: 'Liveness failures'
			},
			{
				id: 'video_queue',
				step: 'face_liveness',
				kind: 'drop',
				rate: 0.1,
				zh: '视频见证排队过长放弃',
				en: 'Gave up in the video queue'
			},
			{
				id: 'no_deposit',
				step: 'account_opened',
				kind: 'drop',
				rate: 0.3,
				zh: '开户后未入金',
				en: 'Opened but never funded'
			}
		]
	},
	{
		key: 'password_reset',
		zh: '密码重置',
		en: 'Password reset',
		product: 'digital',
		reason: 'password_reset',
		startsPerDay: 60,
		newCustomerShare: 0.02,
		surveyRate: 0.2,
		mood: -0.1,
		stages: [
			{
				steps: [
					{
						name: 'reset_requested',
						zh: '申请重置',
						en: 'Reset requested',
						channels: on(['app', 0.85], ['wechat', 0.15]),
						after: at(0, 0)
					}
				]
			},
			{
				steps: [
					{
						name: 'sms_face_check',
						zh: '短信及人脸验证',
						en: 'SMS and face check',
						channels: on(['app', 1]),
						after: at(MIN, 5 * MIN)
					}
				]
			},
			{
				onlyAfterFailure: true,
				steps: [
					{
						name: 'fallback_video_agent',
						zh: '转视频坐席核验',
						en: 'Fallback to a video agent',
						channels: on(['video', 1]),
						after: at(2 * HOUR, DAY),
						share: 0.6,
						contact: { reason: 'password_reset', channels: ['video'] }
					},
					{
						name: 'branch_referral',
						zh: '引导至网点办理',
						en: 'Referred to a branch',
						channels: on(['branch', 1]),
						after: at(2 * DAY, 6 * DAY),
						share: 0.4,
						contact: { reason: 'password_reset', channels: ['branch'] }
					}
				]
			},
			{
				steps: [
					{
						name: 'reset_done',
						zh: '重置完成',
						en: 'Reset done',
						channels: on(['app', 1]),
						after: at(3 * MIN, 30 * MIN)
					}
				]
			}
		],
		breakpoints: [
			{
				id: 'face_check_failure',
				step: 'sms_face_check',
				kind: 'retry',
				rate: 0.1,
				elderlyRate: 0.42,
				recoverRate: 0.3,
				zh: '人脸验证失败（老年客户尤甚）',
				en: 'Face check failures (elderly customers most)'
			},
			{
				id: 'switch_to_phone',
				step: 'sms_face_check',
				kind: 'failure_demand',
				onFailure: true,
				rate: 0.6,
				contact: { channel: 'phone', reason: 'password_reset', withinHours: 24 },
				zh: '验证失败后改打电话',
				en: 'Called the hotline after failing'
			},
			{
				id: 'video_fallback_drop',
				step: 'fallback_video_agent',
				kind: 'drop',
				rate: 0.08,
				zh: '视频核验未完成',
				en: 'Video check not completed'
			},
			{
				id: 'branch_no_show',
				step: 'branch_referral',
				kind: 'drop',
				rate: 0.3,
				zh: '未去网点办理',
				en: 'Never went to the branch'
			}
		]
	},
	{
		key: 'complaint',
		zh: '投诉处理',
		en: 'Complaint',
		product: 'service',
		reason: 'complaint',
		startsPerDay: 0,
		newCustomerShare: 0,
		surveyRate: 0.35,
		mood: -0.6,
		slaDays: 15,
		stages: [
			{
				steps: [
					{
						// A regulator referral (12378) carries no channel and `source: regulator_referred_12378`.
						name: 'complaint_received',
						zh: '受理投诉',
						en: 'Complaint received',
						channels: on(['phone', 0.65], ['app', 0.22], ['branch', 0.13]),
						after: at(0, 0)
					}
				]
			},
			{
				steps: [
					{
						name: 'ticket_registered',
						zh: '工单登记',
						en: 'Ticket registered',
						channels: BACK_OFFICE,
						after: at(10 * MIN, 2 * HOUR)
					}
				]
			},
			{
				steps: [
					{
						name: 'acknowledged',
						zh: '首次回复',
						en: 'Acknowledged',
						channels: on(['phone', 1]),
						after: at(4 * HOUR, 24 * HOUR),
						contact: { reason: 'complaint', channels: ['phone'], outbound: true }
					}
				]
			},
			{
				steps: [
					{
						name: 'investigated',
						zh: '调查核实',
						en: 'Investigated',
						channels: BACK_OFFICE,
						after: at(3 * DAY, 6 * DAY)
					}
				]
			},
			{
				steps: [
					{
						name: 'resolution_proposed',
						zh: '提出解决方案',
						en: 'Resolution proposed',
						channels: on(['phone', 1]),
						after: at(DAY, 3 * DAY),
						contact: { reason: 'complaint', channels: ['phone'], outbound: true }
					}
				]
			},
			{
				steps: [
					{
						name: 'callback',
						zh: '回访',
						en: 'Callback',
						channels: on(['phone', 1]),
						after: at(2 * DAY, 3 * DAY),
						contact: { reason: 'complaint', channels: ['phone'], outbound: true }
					}
				]
			},
			{
				steps: [
					{
						name: 'closed',
						zh: '结案',
						en: 'Closed',
						channels: BACK_OFFICE,
						after: at(DAY, 2 * DAY)
					}
				]
			}
		],
		breakpoints: [
			{
				id: 'reopened',
				step: 'callback',
				kind: 'loop',
				backTo: 'investigated',
				rate: 0.09,
				zh: '客户不认可，工单重开',
				en: 'Ticket reopened'
			}
		]
	},
	{
		key: 'wealth_product',
		zh: '理财购买',
		en: 'Wealth product',
		product: 'wealth',
		reason: 'wealth_inquiry',
		startsPerDay: 35,
		newCustomerShare: 0.05,
		surveyRate: 0.22,
		mood: 0.05,
		stages: [
			{
				steps: [
					{
						name: 'wm_inquiry',
						zh: '理财咨询',
						en: 'Wealth inquiry',
						channels: on(['bot', 0.4], ['phone', 0.35], ['app', 0.25]),
						after: at(0, 0),
						contact: { reason: 'wealth_inquiry', channels: ['bot', 'phone'] }
					}
				]
			},
			{
				steps: [
					{
						name: 'risk_assessed',
						zh: '风险测评',
						en: 'Risk assessed',
						channels: on(['app', 1]),
						after: at(DAY, 4 * DAY)
					}
				]
			},
			{
				steps: [
					{
						name: 'product_matched',
						zh: '产品匹配',
						en: 'Product matched',
						channels: on(['app', 1]),
						after: at(10 * MIN, 2 * HOUR)
					}
				]
			},
			{
				steps: [
					{
						name: 'outbound_call',
						zh: '理财经理外呼',
						en: 'Outbound call',
						channels: on(['phone', 1]),
						after: at(DAY, 3 * DAY),
						contact: { reason: 'wealth_inquiry', channels: ['phone'], outbound: true }
					}
				]
			},
			{
				steps: [
					{
						name: 'double_recorded',
						zh: '双录',
						en: 'Dual recording (双录)',
						channels: on(['app', 0.7], ['branch', 0.3]),
						after: at(DAY, 5 * DAY)
					}
				]
			},
			{
				steps: [
					{
						name: 'purchase_confirmed',
						zh: '确认购买',
						en: 'Purchase confirmed',
						channels: on(['app', 1]),
						after: at(30 * MIN, 4 * HOUR)
					}
				]
			},
			{
				steps: [
					{
						name: 'post_sale_visit',
						zh: '售后回访',
						en: 'Post-sale visit',
						channels: on(['phone', 1]),
						after: at(7 * DAY, 14 * DAY),
						contact: { reason: 'wealth_inquiry', channels: ['phone'], outbound: true }
					}
				]
			}
		],
		breakpoints: [
			{
				id: 'inquiry_only',
				step: 'wm_inquiry',
				kind: 'drop',
				rate: 0.5,
				zh: '咨询后未测评',
				en: 'Inquiry only'
			},
			{
				id: 'risk_mismatch',
				step: 'risk_assessed',
				kind: 'drop',
				rate: 0.18,
				zh: '风险等级不匹配',
				en: 'Risk level mismatch'
			},
			{
				id: 'not_interested',
				step: 'product_matched',
				kind: 'drop',
				rate: 0.15,
				zh: '看过产品后放弃',
				en: 'Lost interest after matching'
			},
			{
				id: 'unreachable',
				step: 'outbound_call',
				kind: 'drop',
				rate: 0.1,
				zh: '外呼未接通',
				en: 'Could not be reached'
			},
			{
				id: 'double_record_dropout',
				step: 'double_recorded',
				kind: 'retry',
				rate: 0.25,
				recoverRate: 0.4,
				zh: '双录中途退出',
				en: 'Drop-out during dual recording'
			}
		]
	}
];

export const JOURNEY_BY_KEY: Record<JourneyKey, JourneyDefinition> = Object.fromEntries(
	JOURNEYS.map((j) => [j.key, j])
) as Record<JourneyKey, JourneyDefinition>;

/** Every step name of a journey in stage order (alternatives side by side), for funnels and definitions. */
export function journeyStepNames(key: JourneyKey): string[] {
	return JOURNEY_BY_KEY[key].stages.flatMap((stage) => stage.steps.map((step) => step.name));
}

/** Credit-card journeys: their NPS runs lower (DOMAIN.md: ≈ 12). */
export const CREDIT_CARD_JOURNEYS: readonly JourneyKey[] = ['card_acquisition', 'fraud_dispute'];
