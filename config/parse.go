package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/s3wizard/s3wizard/internal/strdist"
	"go.yaml.in/yaml/v3"
)

// ErrFile marks answers-file problems that belong to no key: too large,
// not YAML, not a mapping of keys.
var ErrFile = errors.New("answers file")

func fileError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFile, fmt.Sprintf(format, args...))
}

// Parse reads an answers file (YAML; JSON is valid YAML), driven by the keys
// table. Unknown keys are an error (with the key it probably meant) so that a
// typo never silently falls back to a default; so are wrong types, said in
// plain words, and lists or files beyond the limits.
func Parse(data []byte) (*Answers, error) {
	if len(data) > MaxFileBytes {
		return nil, fileError("larger than %d KB: an answers file is a few hundred bytes", MaxFileBytes>>10)
	}
	a := &Answers{Set: map[string]bool{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fileError("not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return a, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return a, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, fileError("line %d: expected keys and values (key: value, one per line), got %s", root.Line, describe(root))
	}
	if err := parseMapping(a, root, ""); err != nil {
		return nil, err
	}
	return a, nil
}

// parseMapping reads the keys of m; prefix is "" at the top and "budget."
// inside a nested answer.
func parseMapping(a *Answers, m *yaml.Node, prefix string) error {
	lines := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		kn, vn := m.Content[i], m.Content[i+1]
		if vn.Kind == yaml.AliasNode && vn.Alias != nil {
			vn = vn.Alias
		}
		if kn.Kind != yaml.ScalarNode || kn.Value == "" {
			return fileError("line %d: a key must be a name, got %s", kn.Line, describe(kn))
		}
		key := prefix + kn.Value
		if first, dup := lines[key]; dup {
			return &KeyError{Key: key, Line: kn.Line, Err: fmt.Errorf("given twice (first on line %d)", first)}
		}
		lines[key] = kn.Line
		if prefix == "" && isNested(key) {
			switch {
			case vn.Kind == yaml.ScalarNode && vn.Tag == "!!null":
				continue // an empty block: its keys keep their defaults
			case vn.Kind != yaml.MappingNode:
				return &KeyError{Key: key, Line: kn.Line, Err: fmt.Errorf("%w: expected keys and values (e.g. {%s}), got %s", errType, example(key), describe(vn))}
			}
			if err := parseMapping(a, vn, key+"."); err != nil {
				return err
			}
			continue
		}
		q, ok := byKey[key]
		if !ok {
			return &UnknownKeyError{Key: key, Line: kn.Line, Suggest: suggest(key)}
		}
		if err := q.setNode(a, vn); err != nil {
			return &KeyError{Key: key, Line: kn.Line, Err: err}
		}
		a.mark(q)
	}
	return nil
}

func isNested(top string) bool {
	for _, q := range keys {
		if q.nested() && q.top() == top {
			return true
		}
	}
	return false
}

// example lists a nested answer's keys, for messages.
func example(top string) string {
	var ks []string
	for _, q := range keys {
		if q.nested() && q.top() == top {
			ks = append(ks, strings.TrimPrefix(q.Key, top+".")+": …")
		}
	}
	if len(ks) > 2 {
		ks = ks[:2]
	}
	return strings.Join(ks, ", ")
}

// describe says what a YAML value is, in the user's terms.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "keys and values"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return strconv.Quote(v)
}

// setNode stores the YAML value n into q's field of a.
func (q *Question) setNode(a *Answers, n *yaml.Node) error {
	null := n.Kind == yaml.ScalarNode && n.Tag == "!!null"
	bad := func() error { return fmt.Errorf("%w: expected %s, got %s", errType, q.wantsWhat(), describe(n)) }
	if p, ok := q.ref(a).(*[]string); ok {
		return setList(p, n, null, bad)
	}
	if n.Kind != yaml.ScalarNode {
		return bad()
	}
	return setScalar(q.ref(a), n, null, bad)
}

// setScalar stores the YAML scalar n into the field ref points to, by the
// field's type; null is the type's zero. bad is the error of a value the
// type cannot hold.
func setScalar(ref any, n *yaml.Node, null bool, bad func() error) error {
	v := n.Value
	if null {
		v = ""
	}
	switch p := ref.(type) {
	case *string:
		*p = v
	case *bool:
		b, err := parseBool(v)
		if err != nil {
			return bad()
		}
		*p = b
	case *int:
		i, ok := scalarInt(n, v, null)
		if !ok || int64(int(i)) != i {
			return bad()
		}
		*p = int(i)
	case *int64:
		i, ok := scalarInt(n, v, null)
		if !ok {
			return bad()
		}
		*p = i
	case *float64:
		f, ok := scalarFloat(n, v, null)
		if !ok {
			return bad()
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%w: expected a number, got %s (not a finite number)", errType, describe(n))
		}
		*p = f
	}
	return nil
}

// setList stores the YAML list of names n into p; null is the empty list.
// bad is the error of a value that is not a list.
func setList(p *[]string, n *yaml.Node, null bool, bad func() error) error {
	if null {
		*p = []string{}
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		return bad()
	}
	if len(n.Content) > MaxListLen {
		return fmt.Errorf("%d entries: at most %d", len(n.Content), MaxListLen)
	}
	l := make([]string, 0, len(n.Content))
	for _, e := range n.Content {
		if e.Kind != yaml.ScalarNode || e.Tag == "!!null" {
			return fmt.Errorf("%w: expected a list of names, got %s in it", errType, describe(e))
		}
		l = append(l, e.Value)
	}
	*p = l
	return nil
}

// scalarInt reads the scalar n (value v) as an integer: YAML's own (!!int)
// or a decimal string; null is 0. ok false: not an integer.
func scalarInt(n *yaml.Node, v string, null bool) (i int64, ok bool) {
	switch {
	case null:
	case n.Tag == "!!int":
		if err := n.Decode(&i); err != nil {
			return 0, false
		}
	default:
		var err error
		if i, err = strconv.ParseInt(strings.TrimSpace(v), 10, 64); err != nil {
			return 0, false
		}
	}
	return i, true
}

// scalarFloat reads the scalar n (value v) as a number, YAML's own or a
// string; null is 0. ok false: not a number.
func scalarFloat(n *yaml.Node, v string, null bool) (f float64, ok bool) {
	if null {
		return 0, true
	}
	if err := n.Decode(&f); err != nil {
		if f, err = strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
			return 0, false
		}
	}
	return f, true
}

// suggest is the known key closest to an unknown one, or "".
func suggest(key string) string {
	best, bestD := "", 3
	if len(key) <= 4 {
		bestD = 2
	}
	for _, q := range keys {
		cands := []string{q.Key}
		if q.nested() {
			cands = append(cands, q.top(), q.Key[len(q.top())+1:])
		}
		for _, c := range cands {
			if d := distance(key, c); d < bestD {
				best, bestD = c, d
				if c != q.Key && c != q.top() {
					best = q.Key // a nested key written at the top: say where it goes
				}
			}
		}
	}
	return best
}

// distance is how far apart two keys are; long ones are far from every key.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	return strdist.Levenshtein(a, b)
}

// Marshal renders the answers as YAML (answers-file format, keys in the
// table's order).
func (a *Answers) Marshal() ([]byte, error) {
	root := &yaml.Node{Kind: yaml.MappingNode}
	subs := map[string]*yaml.Node{}
	var err error
	a.values(func(top, leaf string, v any) {
		vn := &yaml.Node{}
		if e := vn.Encode(v); e != nil && err == nil {
			err = e
		}
		m, k := root, top
		if leaf != "" {
			if subs[top] == nil {
				subs[top] = &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
				root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: top}, subs[top])
			}
			m, k = subs[top], leaf
		}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, vn)
	})
	if err != nil {
		return nil, err
	}
	return yaml.Marshal(root)
}
