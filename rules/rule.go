package rules

import (
	"errors"
	"fmt"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// Rule is a compiled `if` rule. The zero Rule is the absent rule, which
// always holds.
type Rule struct {
	src     string
	program *vm.Program
	reads   map[string]bool // the names it reads, such as "git.dirty"
}

// CompileError is a rule that does not compile or type-check. Line and
// Column are 1-based positions inside the rule's source.
type CompileError struct {
	Line, Column int
	Message      string
	Snippet      string
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("rule %d:%d: %s", e.Line, e.Column, e.Message)
}

// Compile compiles and type-checks src against [Env]. The rule must yield a
// bool.
func Compile(src string) (Rule, error) {
	program, err := expr.Compile(src, expr.Env(&Env{}), expr.AsBool())
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			return Rule{}, &CompileError{Line: max(fe.Line, 1), Column: fe.Column + 1, Message: fe.Message, Snippet: fe.Snippet}
		}
		return Rule{}, &CompileError{Line: 1, Column: 1, Message: err.Error()}
	}
	r := Rule{src: src, program: program, reads: map[string]bool{}}
	node := program.Node()
	ast.Walk(&node, reads(r.reads))
	return r, nil
}

// reads records the names a rule reads: identifiers ("files") and fields
// of them ("git.dirty").
type reads map[string]bool

func (v reads) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		v[n.Value] = true
	case *ast.MemberNode:
		id, ok1 := n.Node.(*ast.IdentifierNode)
		prop, ok2 := n.Property.(*ast.StringNode)
		if ok1 && ok2 {
			v[id.Value+"."+prop.Value] = true
		}
	}
}

// Reads reports whether the rule reads a name: an environment name such
// as "files", or a field of one such as "git.dirty". Costly values are
// worked out only for the rules that read them.
func (r Rule) Reads(name string) bool { return r.reads[name] }

// Source returns the rule as written.
func (r Rule) Source() string { return r.src }

// IsZero reports whether the rule is absent.
func (r Rule) IsZero() bool { return r.program == nil }

// Eval runs the rule. An absent rule holds. A runtime error (such as an
// index out of range) is returned and the rule does not hold.
func (r Rule) Eval(env *Env) (bool, error) {
	if r.program == nil {
		return true, nil
	}
	out, err := expr.Run(r.program, env)
	if err != nil {
		return false, fmt.Errorf("evaluate rule: %w", err)
	}
	ok, _ := out.(bool)
	return ok, nil
}
