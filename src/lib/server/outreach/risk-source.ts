/**
 * Where the `risk` rule reads complaint-risk scores: the risk model's current scores (`riskScoreSource` in risk/, on
 * both engines) unless a caller gives another source. This interface is the one thing outreach needs from it.
 */
export interface RiskScoreSource {
	/** Customers whose latest complaint-risk score (0–1) is at or above minScore. */
	customersAtOrAbove(minScore: number): Promise<string[]>;
}
