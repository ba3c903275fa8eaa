/** TF-IDF against the corpus: document frequencies kept incrementally, keywords and vectors from them. */

/** Document frequencies of terms: how many documents hold each term at least once. */
export class DocumentFrequencies {
	docs = 0;
	readonly df = new Map<string, number>();

	/** Counts one document (its terms; repeats count once). */
	add(terms: Iterable<string>): void {
		this.docs++;
		for (const term of new Set(terms)) this.df.set(term, (this.df.get(term) ?? 0) + 1);
	}

	/** Smoothed inverse document frequency, ln((1 + N) / (1 + df)) + 1 (never 0, so a term in every document counts a little). */
	idf(term: string): number {
		return Math.log((1 + this.docs) / (1 + (this.df.get(term) ?? 0))) + 1;
	}
}

/** Term → count. */
export function termCounts(terms: readonly string[]): Map<string, number> {
	const counts = new Map<string, number>();
	for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
	return counts;
}

export interface Keyword {
	term: string;
	weight: number;
}

/** The top-k terms of a document by TF-IDF (sublinear tf: 1 + ln tf), ties broken by term for stable output. */
export function keywordsOf(terms: readonly string[], df: DocumentFrequencies, topK = 5): Keyword[] {
	const scored: Keyword[] = [];
	for (const [term, tf] of termCounts(terms))
		scored.push({ term, weight: (1 + Math.log(tf)) * df.idf(term) });
	scored.sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
	return scored.slice(0, topK);
}

/** A sparse vector: parallel arrays of dimension indices (ascending) and values. */
export interface SparseVector {
	indices: Uint32Array;
	values: Float64Array;
}

export const EMPTY_VECTOR: SparseVector = { indices: new Uint32Array(0), values: new Float64Array(0) };

/**
 * The l2-normalized TF-IDF vector of a document over a vocabulary (term → index, with one idf per index).
 * Terms outside the vocabulary are ignored; a document with none of its terms gets the empty vector.
 */
export function tfidfVector(
	terms: readonly string[],
	vocabulary: ReadonlyMap<string, number>,
	idf: Float64Array
): SparseVector {
	const counts = new Map<number, number>();
	for (const t of terms) {
		const i = vocabulary.get(t);
		if (i !== undefined) counts.set(i, (counts.get(i) ?? 0) + 1);
	}
	if (counts.size === 0) return EMPTY_VECTOR;
	const indices = Uint32Array.from(counts.keys()).sort();
	const values = new Float64Array(indices.length);
	let norm = 0;
	for (let k = 0; k < indices.length; k++) {
		const v = (1 + Math.log(counts.get(indices[k]) ?? 1)) * idf[indices[k]];
		values[k] = v;
		norm += v * v;
	}
	norm = Math.sqrt(norm);
	for (let k = 0; k < values.length; k++) values[k] /= norm;
	return { indices, values };
}

export interface Vocabulary {
	terms: string[];
	index: Map<string, number>;
	idf: Float64Array;
}

/**
 * A clustering vocabulary from tokenized documents: terms in at least `minDf` documents and at most `maxDfShare` of
 * them (a term in most documents separates nothing), the `maxTerms` most frequent kept. Sorted by term so the same
 * documents give the same vocabulary.
 */
export function buildVocabulary(
	documents: readonly (readonly string[])[],
	options: { minDf?: number; maxDfShare?: number; maxTerms?: number } = {}
): Vocabulary {
	const df = new DocumentFrequencies();
	for (const d of documents) df.add(d);
	const minDf = options.minDf ?? 2;
	const maxDf = Math.max(minDf, Math.floor((options.maxDfShare ?? 0.5) * df.docs));
	const kept = [...df.df.entries()].filter(([, n]) => n >= minDf && n <= maxDf);
	kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
	const terms = kept
		.slice(0, options.maxTerms ?? 5000)
		.map(([t]) => t)
		.sort();
	const index = new Map(terms.map((t, i) => [t, i]));
	const idf = Float64Array.from(terms, (t) => df.idf(t));
	return { terms, index, idf };
}
