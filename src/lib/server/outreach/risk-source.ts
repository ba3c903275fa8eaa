/**
 * Where the `risk` rule reads complaint-risk scores (issue 19's risk model, built beside this module). The model
 * writes its scores to its own table; this interface is the one thing outreach needs from it.
 */
export interface RiskScoreSource {
	/** Customers whose latest complaint-risk score (0–1) is at or above minScore. */
	customersAtOrAbove(minScore: number): Promise<string[]>;
}

/**
 * Until the risk model is merged: no customer has a score, so a `risk` audience is empty.
 * TODO(lead): at merge, implement over the risk model's scores table (both engines) and pass it from the routes.
 */
export const noRiskScores: RiskScoreSource = {
	async customersAtOrAbove() {
		return [];
	}
};
