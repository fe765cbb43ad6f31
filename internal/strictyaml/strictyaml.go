// Package strictyaml is the one strict reader of meshgate's YAML files
// (users, policies, product descriptors and their ports): one Problem
// type, one parse that reports syntax errors with their line and refuses a
// second document, mapping checks that refuse unknown keys (suggesting the
// closest known one) and duplicate keys (naming both lines), and typed
// helpers for text, enumerations and lists.
//
// A loader makes a Reporter per file, reads the document with Parse and
// the Reporter's helpers, and calls Finish on the root: Finish reports a
// duplicate key in any mapping the loader did not read through Entries or
// Mapping, so a duplicate key is an error anywhere in a file, never a
// silent "last one wins".
package strictyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong in a file.
type Problem struct {
	File    string
	Line    int    // 0 when the problem concerns the whole file
	Product string // the product address when known (descriptors, ports)
	Message string // a plain sentence the owner can act on
}

// String returns "file:line: message" (or "file: message" without a line).
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// Error is String, so a Problem can be returned as an error.
func (p Problem) Error() string { return p.String() }

// Reporter collects the problems of one file.
type Reporter struct {
	File     string
	Product  string            // copied into every problem
	Hints    map[string]string // key → advice appended when its value is not text
	Problems []Problem

	suggested map[string]bool     // keys suggested for a misspelt key: not reported missing again
	read      map[*yaml.Node]bool // mappings whose keys were checked
}

// Errorf records a problem at line.
func (r *Reporter) Errorf(line int, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{File: r.File, Line: line, Product: r.Product, Message: fmt.Sprintf(format, args...)})
}

// OK reports whether no problem has been recorded.
func (r *Reporter) OK() bool { return len(r.Problems) == 0 }

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// YAMLError records an error of the YAML parser as "the file is not valid
// YAML: …" at the line the parser names.
func (r *Reporter) YAMLError(err error) {
	msg, line := err.Error(), 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		fmt.Sscan(m[1], &line)
		msg = m[2]
	} else if te := (*yaml.TypeError)(nil); errors.As(err, &te) && len(te.Errors) > 0 {
		msg = strings.Join(te.Errors, "; ")
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	r.Errorf(line, "the file is not valid YAML: %s", msg)
}

// Parse reads the one YAML document of data and returns its root node, or
// nil when the file is not valid YAML (reported) or empty (not reported:
// each loader says what the file must hold). A second document is
// reported: it would otherwise be ignored.
func (r *Reporter) Parse(data []byte) *yaml.Node {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		r.YAMLError(err)
		return nil
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		r.Errorf(next.Line, "the file holds a second YAML document; put everything in one document (each product in its own file)")
	} else if !errors.Is(err, io.EOF) {
		r.YAMLError(err)
	}
	return doc.Content[0]
}

// Entry is one key and value of a mapping.
type Entry struct{ Key, Value *yaml.Node }

// Entries returns the entries of mapping n whose keys are plain text,
// each key once: a key that is not text and a key given again are
// reported (the latter with both lines) and left out; the first value of
// a key is the one returned, never silently replaced by a later one.
// where names the mapping in messages ("user \"a\"", "the descriptor").
func (r *Reporter) Entries(n *yaml.Node, where string) []Entry {
	return r.entries(n, where, nil, true)
}

// Mapping checks the keys of mapping n against known: an unknown key is
// reported with the closest known key suggested, a duplicate key with
// both lines (as Entries). It returns the value nodes by key. A node that
// is not a mapping is reported and yields no values.
func (r *Reporter) Mapping(n *yaml.Node, where string, known []string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		r.Errorf(n.Line, "%s must be a mapping, not %s", where, KindName(n))
		return out
	}
	if known == nil {
		known = []string{}
	}
	for _, e := range r.entries(n, where, known, true) {
		out[e.Key.Value] = e.Value
	}
	return out
}

// Items reads a list of mappings (users, access rules, ports, columns).
// Item i is named what+" i" in messages (from 1), or what+` "name"` when
// nameKey is given and the item has a text value under it. An item that
// is not a mapping is reported ("… must be a mapping with "+shape) and
// skipped; fn gets every other item with its keys checked against known.
func (r *Reporter) Items(n *yaml.Node, what, nameKey, shape string, known []string, fn func(where string, item *yaml.Node, fields map[string]*yaml.Node)) {
	for i, item := range n.Content {
		where := fmt.Sprintf("%s %d", what, i+1)
		if item.Kind != yaml.MappingNode {
			r.Errorf(item.Line, "%s must be a mapping with %s, not %s", where, shape, KindName(item))
			continue
		}
		for j := 0; nameKey != "" && j+1 < len(item.Content); j += 2 {
			if item.Content[j].Value == nameKey && IsText(item.Content[j+1]) {
				where = fmt.Sprintf("%s %q", what, item.Content[j+1].Value)
				break
			}
		}
		fn(where, item, r.Mapping(item, where, known))
	}
}

// entries reads a mapping's entries in order, reporting duplicate keys,
// keys that are not text (with textKeys; else they are passed over) and,
// with known non-nil, unknown keys.
func (r *Reporter) entries(n *yaml.Node, where string, known []string, textKeys bool) []Entry {
	if r.read == nil {
		r.read = map[*yaml.Node]bool{}
	}
	r.read[n] = true
	var out []Entry
	lines := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		if k.Kind != yaml.ScalarNode {
			if textKeys {
				r.Errorf(k.Line, "%s has a key that is not plain text", where)
			}
			continue
		}
		if known != nil && !Contains(known, key) {
			if c := Closest(key, known); c != "" {
				if r.suggested == nil {
					r.suggested = map[string]bool{}
				}
				r.suggested[c] = true
			}
			r.Errorf(k.Line, "unknown key %q in %s%s (known keys: %s)", key, where, DidYouMean(key, known), strings.Join(known, ", "))
			continue
		}
		if prev, dup := lines[key]; dup {
			r.Errorf(k.Line, "key %q appears twice in %s (first on line %d, again on line %d); give each key once", key, where, prev, k.Line)
			continue
		}
		lines[key] = k.Line
		out = append(out, Entry{k, v})
	}
	return out
}

// Suggested reports whether key was suggested for a misspelt key (so a
// loader need not report it missing as well).
func (r *Reporter) Suggested(key string) bool { return r.suggested[key] }

// Finish reports the duplicate keys of every mapping under root that was
// not read through Entries or Mapping, so none goes unnoticed.
func (r *Reporter) Finish(root *yaml.Node) {
	if root == nil {
		return
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode && !r.read[n] {
			r.entries(n, fmt.Sprintf("the mapping on line %d", n.Line), nil, false)
		}
		if n.Kind == yaml.AliasNode {
			return // its anchor is walked where it stands
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
}

// IsNull reports whether n is an empty value (~, null or nothing).
func IsNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// IsText reports whether n is non-empty text (not a number, boolean or
// null, which YAML would read differently).
func IsText(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && n.Value != ""
}

// Need returns the value of a required key, reporting it when missing.
func (r *Reporter) Need(fields map[string]*yaml.Node, parent *yaml.Node, key string) *yaml.Node {
	if v := fields[key]; v != nil && !IsNull(v) {
		return v
	}
	line := parent.Line
	if v := fields[key]; v != nil {
		line = v.Line
	} else if r.suggested[key] {
		return nil // already reported as a misspelt key
	}
	r.Errorf(line, "required key %q is missing", key)
	return nil
}

// Str reads the text value of key in fields (where, when given, prefixes
// the key in messages: "owner.team"). Numbers and booleans are refused: a
// value such as version: 1.4 is a float to YAML and would lose its
// meaning. A missing or empty value is reported when required; the node
// is nil unless the value is valid text.
func (r *Reporter) Str(fields map[string]*yaml.Node, parent *yaml.Node, where, key string, required bool) (string, *yaml.Node) {
	full := key
	if where != "" {
		full = where + "." + key
	}
	v := fields[key]
	if v == nil || IsNull(v) {
		if required && (v != nil || !r.suggested[key]) {
			line := parent.Line
			if v != nil {
				line = v.Line
			}
			r.Errorf(line, "required key %q is missing", full)
		}
		return "", nil
	}
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
		hint, ok := r.Hints[key]
		if !ok {
			hint = QuoteHint(v)
		}
		r.Errorf(v.Line, "%s must be text, not %s%s", full, KindName(v), hint)
		return "", nil
	}
	if strings.TrimSpace(v.Value) == "" {
		if required {
			r.Errorf(v.Line, "%s is empty", full)
		}
		return "", nil
	}
	return v.Value, v
}

// Enum reads a text value that must be one of values (suggesting the
// closest one); "" when missing or invalid (reported).
func (r *Reporter) Enum(fields map[string]*yaml.Node, parent *yaml.Node, key string, values []string, required bool) string {
	v, n := r.Str(fields, parent, "", key, required)
	if n == nil {
		return ""
	}
	if !Contains(values, v) {
		r.Errorf(n.Line, "%s %q is not one of %s%s", key, v, strings.Join(values, ", "), DidYouMean(v, values))
		return ""
	}
	return v
}

// StrList reads a list of non-empty text values.
func (r *Reporter) StrList(n *yaml.Node, where string) []string {
	if n.Kind != yaml.SequenceNode {
		r.Errorf(n.Line, "%s must be a list, such as [a, b], not %s", where, KindName(n))
		return nil
	}
	var out []string
	for _, e := range n.Content {
		if !IsText(e) {
			r.Errorf(e.Line, "each entry of %s must be non-empty text, not %s", where, KindName(e))
			continue
		}
		out = append(out, e.Value)
	}
	return out
}

// QuoteHint advises quoting a scalar that YAML did not read as text.
func QuoteHint(v *yaml.Node) string {
	if v.Kind == yaml.ScalarNode {
		return fmt.Sprintf(" (write it in quotes: \"%s\")", v.Value)
	}
	return ""
}

// KindName describes a node for messages ("a list", "the text \"x\"").
func KindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "empty"
		case "!!bool":
			return "a boolean (" + n.Value + ")"
		case "!!int", "!!float":
			return "a number (" + n.Value + ")"
		case "!!str":
			return fmt.Sprintf("the text %q", n.Value)
		}
		return n.Value
	}
	return "nothing"
}

// Contains reports whether list holds s.
func Contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
