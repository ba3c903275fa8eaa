import { describe, expect, it } from 'vitest';
import { REASON_BY_ID } from './catalog';
import { JOURNEY_BY_KEY, JOURNEY_KEYS, JOURNEYS, journeyStepNames } from './journeys';

/** The step event names of DOMAIN.md "Journeys for the demo", in order (alternatives side by side). */
const DOMAIN_STEPS: Record<string, string[]> = {
	card_acquisition: [
		'card_app_started',
		'card_app_submitted',
		'id_face_verified',
		'credit_decided',
		'card_mailed',
		'card_activated',
		'first_txn'
	],
	lost_card: [
		'loss_reported',
		'card_blocked',
		'identity_verified',
		'reissue_requested',
		'new_card_mailed',
		'new_card_activated'
	],
	fraud_dispute: [
		'fraud_alert_sms',
		'call_agent',
		'card_frozen',
		'police_report_uploaded',
		'dispute_filed',
		'investigation',
		'dispute_resolved',
		'complaint_opened'
	],
	personal_loan: [
		'loan_inquiry',
		'loan_app_submitted',
		'docs_uploaded',
		'credit_checked',
		'approved',
		'declined',
		'contract_esigned',
		'disbursed'
	],
	remote_account_opening: [
		'open_started',
		'id_ocr',
		'face_liveness',
		'video_witness',
		'account_opened',
		'first_deposit'
	],
	password_reset: [
		'reset_requested',
		'sms_face_check',
		'fallback_video_agent',
		'branch_referral',
		'reset_done'
	],
	complaint: [
		'complaint_received',
		'ticket_registered',
		'acknowledged',
		'investigated',
		'resolution_proposed',
		'callback',
		'closed'
	],
	wealth_product: [
		'wm_inquiry',
		'risk_assessed',
		'product_matched',
		'outbound_call',
		'double_recorded',
		'purchase_confirmed',
		'post_sale_visit'
	]
};

describe('journeys', () => {
	it('defines the eight demo journeys with the exact step names of DOMAIN.md', () => {
		expect(JOURNEYS.map((j) => j.key)).toEqual([...JOURNEY_KEYS]);
		for (const key of JOURNEY_KEYS) {
			expect(journeyStepNames(key)).toEqual(DOMAIN_STEPS[key]);
			expect(JOURNEY_BY_KEY[key].zh).toMatch(/[\u4e00-\u9fff]/);
		}
	});

	it('gives alternatives shares that add up, and steps channels and times', () => {
		for (const j of JOURNEYS) {
			j.stages.forEach((stage, i) => {
				if (stage.steps.length > 1) {
					const total = stage.steps.reduce((a, s) => a + (s.share ?? 0), 0);
					expect(total).toBeCloseTo(1, 6);
				}
				for (const step of stage.steps) {
					if (i > 0) expect(step.after.medianS).toBeGreaterThan(0);
					expect(step.after.p90S).toBeGreaterThanOrEqual(step.after.medianS);
					if (step.contact) expect(REASON_BY_ID[step.contact.reason]).toBeDefined();
				}
			});
		}
	});

	it('places every breakpoint on a step of its journey, with a sane rate', () => {
		for (const j of JOURNEYS) {
			const names = journeyStepNames(j.key);
			expect(j.breakpoints.length).toBeGreaterThan(0);
			expect(new Set(j.breakpoints.map((b) => b.id)).size).toBe(j.breakpoints.length);
			for (const b of j.breakpoints) {
				expect(names).toContain(b.step);
				expect(b.rate).toBeGreaterThan(0);
				expect(b.rate).toBeLessThan(1);
				if (b.kind === 'channel_switch' || b.kind === 'failure_demand') expect(b.contact).toBeDefined();
				if (b.kind === 'loop') expect(names).toContain(b.backTo);
				if (b.kind === 'retry') expect(b.recoverRate).toBeDefined();
			}
		}
		const ids = JOURNEYS.flatMap((j) => j.breakpoints.map((b) => b.id));
		for (const id of ['ivr_menu_buried', 'where_is_my_application', 'face_check_failure', 'liveness_failure'])
			expect(ids).toContain(id);
		expect(ids).toContain('double_record_dropout');
		expect(ids).toContain('upload_failure');
	});
});
