/**
 * The de-duplication window in memory: the 63-bit hashes of (source, client id) seen within the window, each with
 * the `seq` of its row in the `event_ids` log, in an open-addressing hash table over typed arrays, plus the same
 * entries in arrival order (a FIFO) so that the oldest can be forgotten. The durable copy is the append-only log,
 * written in the same transaction as the events; at start the table is loaded from it. An entry is a claim: the
 * writer confirms a hit against the log row it names, so a claim whose transaction was rolled back (its row is gone,
 * or its seq now holds another hash) is not taken for a duplicate.
 *
 * Why in memory: a B-tree keyed by random hashes dirties a random page per event, and each commit writes every
 * page it dirtied (PERF-NOTES.md). Appending to a log keyed by arrival and looking ids up here costs ~0.2 µs.
 * Memory: about 56 bytes per id in the window (56 MB per million).
 */

const EMPTY = 0;

/** Splits a 63-bit hash into the two 32-bit halves the arrays hold; the low half is never 0 (0 marks empty slots). */
function halves(hash: bigint): [hi: number, lo: number] {
	const hi = Number(hash >> 32n) | 0;
	const lo = Number(hash & 0xffffffffn) | 0;
	// Folding 0 into 1 merges two of 2⁶³ values: collisions stay at ~2⁻⁶³ per pair.
	return [hi, lo === EMPTY ? 1 : lo];
}

/** A multiplicative hash of the halves (the input is already uniform; this only spreads it over the table). */
function slotOf(hi: number, lo: number, mask: number): number {
	return (Math.imul(lo ^ (hi >>> 15), 0x9e3779b1) >>> 0) & mask;
}

export class SeenIds {
	private keysHi: Int32Array;
	private keysLo: Int32Array;
	private seqs: Float64Array;
	private mask: number;
	private count = 0;
	// The FIFO: entries [head, tail) are live, in arrival order.
	private fifoHi: Int32Array;
	private fifoLo: Int32Array;
	private fifoAt: Float64Array;
	private fifoSeq: Float64Array;
	private head = 0;
	private tail = 0;

	constructor(capacity = 1024) {
		const slots = 1 << Math.max(4, Math.ceil(Math.log2(capacity * 2)));
		this.keysHi = new Int32Array(slots);
		this.keysLo = new Int32Array(slots);
		this.seqs = new Float64Array(slots);
		this.mask = slots - 1;
		this.fifoHi = new Int32Array(capacity);
		this.fifoLo = new Int32Array(capacity);
		this.fifoAt = new Float64Array(capacity);
		this.fifoSeq = new Float64Array(capacity);
	}

	/** Distinct hashes in the window. */
	get size(): number {
		return this.count;
	}

	/** The log seq of the latest claim of this hash, or -1. */
	get(hash: bigint): number {
		const [hi, lo] = halves(hash);
		const i = this.find(hi, lo);
		return i < 0 ? -1 : this.seqs[i];
	}

	/** Records a claim of `hash` at `seenAt` (epoch ms) by the log row `seq`; a later claim replaces an earlier one. */
	set(hash: bigint, seenAt: number, seq: number): void {
		const [hi, lo] = halves(hash);
		if ((this.count + 1) * 2 > this.keysLo.length) this.rehash(this.keysLo.length * 2);
		this.put(hi, lo, seq);
		this.push(hi, lo, seenAt, seq);
	}

	/**
	 * Forgets the hashes first seen before `before` (they are at the front of the FIFO). Returns how many were
	 * forgotten. Costs one pass over the remaining ids when any were dropped (it rebuilds the table).
	 */
	forgetBefore(before: number): number {
		const start = this.head;
		while (this.head < this.tail && this.fifoAt[this.head] < before) this.head++;
		const dropped = this.head - start;
		if (dropped > 0) this.compact();
		return dropped;
	}

	/** The time the oldest remembered id was first seen, or null when empty. */
	oldest(): number | null {
		return this.head < this.tail ? this.fifoAt[this.head] : null;
	}

	private find(hi: number, lo: number): number {
		for (let i = slotOf(hi, lo, this.mask); ; i = (i + 1) & this.mask) {
			const k = this.keysLo[i];
			if (k === EMPTY) return -1;
			if (k === lo && this.keysHi[i] === hi) return i;
		}
	}

	private put(hi: number, lo: number, seq: number) {
		let i = slotOf(hi, lo, this.mask);
		for (; this.keysLo[i] !== EMPTY; i = (i + 1) & this.mask)
			if (this.keysLo[i] === lo && this.keysHi[i] === hi) {
				this.seqs[i] = seq;
				return;
			}
		this.keysHi[i] = hi;
		this.keysLo[i] = lo;
		this.seqs[i] = seq;
		this.count++;
	}

	private push(hi: number, lo: number, at: number, seq: number) {
		if (this.tail === this.fifoLo.length) this.growFifo();
		this.fifoHi[this.tail] = hi;
		this.fifoLo[this.tail] = lo;
		this.fifoAt[this.tail] = at;
		this.fifoSeq[this.tail] = seq;
		this.tail++;
	}

	private growFifo() {
		const live = this.tail - this.head;
		const size = Math.max(1024, live * 2);
		const hi = new Int32Array(size);
		const lo = new Int32Array(size);
		const at = new Float64Array(size);
		const seq = new Float64Array(size);
		hi.set(this.fifoHi.subarray(this.head, this.tail));
		lo.set(this.fifoLo.subarray(this.head, this.tail));
		at.set(this.fifoAt.subarray(this.head, this.tail));
		seq.set(this.fifoSeq.subarray(this.head, this.tail));
		this.fifoHi = hi;
		this.fifoLo = lo;
		this.fifoAt = at;
		this.fifoSeq = seq;
		this.head = 0;
		this.tail = live;
	}

	private rehash(slots: number) {
		this.keysHi = new Int32Array(slots);
		this.keysLo = new Int32Array(slots);
		this.seqs = new Float64Array(slots);
		this.mask = slots - 1;
		this.count = 0;
		// In arrival order, so the latest claim of a hash wins.
		for (let j = this.head; j < this.tail; j++) this.put(this.fifoHi[j], this.fifoLo[j], this.fifoSeq[j]);
	}

	/** Rebuilds the table (and shrinks it when mostly empty) from the live part of the FIFO. */
	private compact() {
		const live = this.tail - this.head;
		let slots = this.keysLo.length;
		while (slots > 32 && live * 8 < slots) slots >>= 1;
		this.rehash(slots);
		if (this.head > live) this.growFifo();
	}
}
