/** What risk/index.ts `customerRiskView` answers (null: no model, and nothing is shown). */
export interface CustomerRiskData {
	score: {
		score: number;
		regulatorScore: number;
		reasons: { feature: string; contribution: number }[];
		scoredAt: string;
	} | null;
	model: {
		n: number;
		positives: number;
		auc: number | null;
		auc95: [number, number] | null;
		trainedAt: string;
	};
}
