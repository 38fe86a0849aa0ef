package spec

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseLargestTasks parses the corpus' 138-task file (goal ≤ 2 ms).
func BenchmarkParseLargestTasks(b *testing.B) {
	corpusFiles(b)
	data, err := os.ReadFile(filepath.Join(corpusDir, "kiro/staneslevski__kiro-autonomous-build__kiro-codebuild-worker__tasks.md"))
	if err != nil {
		b.Skip(err)
	}
	p := Place{Kiro, Tasks, "w", ".kiro/specs/w", "", false}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if d := Parse(p, "tasks.md", data); len(d.Tasks) != 138 {
			b.Fatalf("%d tasks", len(d.Tasks))
		}
	}
}

// traceRepo writes a 20,000-file repository: 40 Kiro specs and code files
// of ~3 KB, one in ten citing requirements.
func traceRepo(b *testing.B) (string, []string) {
	files := map[string]string{}
	for s := range 40 {
		files[fmt.Sprintf(".kiro/specs/feature-%d/requirements.md", s)] = kiroReqs
		files[fmt.Sprintf(".kiro/specs/feature-%d/tasks.md", s)] = kiroTasks
	}
	filler := ""
	for i := range 60 {
		filler += fmt.Sprintf("export function helper%d(a: number): number { return a * %d }\n", i, i)
	}
	for i := range 20000 - len(files) {
		text := filler
		if i%10 == 0 {
			text = fmt.Sprintf("// Feature: feature-%d\n// Requirements: 1.%d, 2.1\n", i/10%40, i%3+1) + filler
		}
		files[fmt.Sprintf("src/m%d/f%d.ts", i/100, i)] = text
	}
	return writeTree(b, files)
}

// BenchmarkTraceBuild indexes a 20,000-file repository (goal ≤ 2 s).
func BenchmarkTraceBuild(b *testing.B) {
	root, rels := traceRepo(b)
	for b.Loop() {
		x, _ := NewIndex(DefaultRoots(), nil)
		if err := x.Build(context.Background(), root, rels); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTraceUpdate re-indexes one saved file (goal ≤ 5 ms), and
// BenchmarkImpact answers a query (goal ≤ 20 ms), on the same repository.
func BenchmarkTraceUpdate(b *testing.B) {
	x, root, rels := builtIndex(b)
	data, err := os.ReadFile(filepath.Join(root, rels[len(rels)/2]))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		x.Update(rels[len(rels)/2], data)
	}
}

func BenchmarkImpact(b *testing.B) {
	x, _, _ := builtIndex(b)
	for b.Loop() {
		if got := x.Impact("feature-7", []string{"2.1"}); len(got) < 50 {
			b.Fatalf("%d citations", len(got))
		}
	}
}

func builtIndex(b *testing.B) (*Index, string, []string) {
	root, rels := traceRepo(b)
	x, _ := NewIndex(DefaultRoots(), nil)
	if err := x.Build(context.Background(), root, rels); err != nil {
		b.Fatal(err)
	}
	return x, root, rels
}
