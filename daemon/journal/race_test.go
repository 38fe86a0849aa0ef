//go:build race

package journal_test

// Under the race detector the pure-Go SQLite is some twenty times slower;
// 25,000 runs still cross MaxRuns more than twice.
const retentionRuns = 25000
