//go:build !race

package journal_test

const retentionRuns = 100000
