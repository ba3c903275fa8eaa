/**
 * The statistics every domain uses, pure and without I/O: intervals (Wilson, Newcombe, NPS, means, rates),
 * quantiles and their intervals, tests (z, Welch, exact binomial and Poisson), multiple testing (Holm,
 * Benjamini–Hochberg) and the overdispersion allowance. Import as `$lib/server/stats`.
 */
export * from './intervals';
export * from './quantiles';
export * from './tests';
export * from './overdispersion';
