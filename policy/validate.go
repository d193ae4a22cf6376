package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// Kind is the kind of a policy document, which decides its grammar.
type Kind int

// The kinds of document the wizard sends. It sends no KMS key policy: the
// app's use of a key is granted by its identity policy.
const (
	// Identity: a managed or inline policy of a user, group or role.
	Identity Kind = iota
	// BucketResource: an S3 bucket policy.
	BucketResource
	// Trust: a role's trust (assume-role) policy.
	Trust
)

func (k Kind) String() string {
	switch k {
	case BucketResource:
		return "bucket policy"
	case Trust:
		return "trust policy"
	}
	return "identity policy"
}

// Version is the only policy language version the wizard writes (the older
// 2008-10-17 lacks policy variables).
const Version = "2012-10-17"

// maxChars are AWS's size quotas, white space excluded: a managed policy
// 6,144 characters (inline role policies allow more, so the stricter one
// holds for the app's document, which is sent both ways), a role trust
// policy 2,048 (the default quota), a bucket policy 20 KB.
var maxChars = map[Kind]int{Identity: 6144, Trust: 2048, BucketResource: 20 * 1024}

// Error names the document kind, the statement (1-based index and Sid) and
// the rule a document breaks.
type Error struct {
	Kind Kind
	// Statement is the 1-based index of the statement; 0 is the document.
	Statement int
	Sid       string
	Rule      string
}

func (e *Error) Error() string {
	switch {
	case e.Statement == 0:
		return fmt.Sprintf("%s: %s", e.Kind, e.Rule)
	case e.Sid != "":
		return fmt.Sprintf("%s: statement %d (Sid %q): %s", e.Kind, e.Statement, e.Sid, e.Rule)
	}
	return fmt.Sprintf("%s: statement %d (no Sid): %s", e.Kind, e.Statement, e.Rule)
}

var (
	iamSid    = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	actionRE  = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*?]+$`)
	principal = map[string]bool{"AWS": true, "Service": true, "Federated": true, "CanonicalUser": true}
	stmtKeys  = map[string]bool{"Sid": true, "Effect": true, "Principal": true, "NotPrincipal": true,
		"Action": true, "NotAction": true, "Resource": true, "NotResource": true, "Condition": true}
	// conditionOps are IAM's condition operators (before the ForAnyValue:/
	// ForAllValues: prefixes and the IfExists suffix).
	conditionOps = map[string]bool{
		"StringEquals": true, "StringNotEquals": true, "StringEqualsIgnoreCase": true,
		"StringNotEqualsIgnoreCase": true, "StringLike": true, "StringNotLike": true,
		"NumericEquals": true, "NumericNotEquals": true, "NumericLessThan": true,
		"NumericLessThanEquals": true, "NumericGreaterThan": true, "NumericGreaterThanEquals": true,
		"DateEquals": true, "DateNotEquals": true, "DateLessThan": true, "DateLessThanEquals": true,
		"DateGreaterThan": true, "DateGreaterThanEquals": true,
		"Bool": true, "BinaryEquals": true, "IpAddress": true, "NotIpAddress": true,
		"ArnEquals": true, "ArnLike": true, "ArnNotEquals": true, "ArnNotLike": true, "Null": true,
	}
)

// Validate checks doc against AWS's IAM JSON policy grammar for its kind,
// locally, before it is sent: AWS refuses what breaks it (moto accepts most
// of it). bucket is the bucket a bucket policy belongs to (every resource
// must be inside it); it is ignored for the other kinds. The error is an
// *Error naming the statement and the rule.
func Validate(kind Kind, doc, bucket string) error {
	bad := func(stmt int, sid, format string, args ...any) error {
		return &Error{Kind: kind, Statement: stmt, Sid: sid, Rule: fmt.Sprintf(format, args...)}
	}
	m, err := decodeDocument(kind, doc, bad)
	if err != nil {
		return err
	}
	stmts, err := documentStatements(m, bad)
	if err != nil {
		return err
	}
	sids := map[string]int{}
	for i, raw := range stmts {
		n := i + 1
		s, ok := raw.(map[string]any)
		if !ok {
			return bad(n, "", "a statement must be a JSON object")
		}
		sid, _ := s["Sid"].(string)
		if err := validateStatement(kind, s, bucket, func(format string, args ...any) error {
			return bad(n, sid, format, args...)
		}); err != nil {
			return err
		}
		if sid != "" {
			if prev, dup := sids[sid]; dup {
				return bad(n, sid, "Sid repeats statement %d's: Sids must be unique in a document", prev)
			}
			sids[sid] = n
		}
	}
	return nil
}

// decodeDocument decodes doc: one JSON object, no null, within AWS's size
// limit for its kind.
func decodeDocument(kind Kind, doc string, bad func(stmt int, sid, format string, args ...any) error) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return nil, bad(0, "", "not valid JSON: %v", err)
	}
	if dec.More() {
		return nil, bad(0, "", "not valid JSON: text after the document")
	}
	if path := findNull(top, ""); path != "" {
		return nil, nullError(kind, top, path)
	}
	if n := nonSpace(doc); n > maxChars[kind] {
		return nil, bad(0, "", "%d characters (white space excluded), over AWS's limit of %d", n, maxChars[kind])
	}
	m, ok := top.(map[string]any)
	if !ok {
		return nil, bad(0, "", "the document must be a JSON object")
	}
	return m, nil
}

// documentStatements checks the document's top-level fields (Version, Id,
// Statement) and returns its statements, one or a list.
func documentStatements(m map[string]any, bad func(stmt int, sid, format string, args ...any) error) ([]any, error) {
	for _, k := range sortedKeys(m) {
		if k != "Version" && k != "Id" && k != "Statement" {
			return nil, bad(0, "", "unknown top-level field %s (allowed: Version, Id, Statement)", k)
		}
	}
	if v, _ := m["Version"].(string); v != Version {
		return nil, bad(0, "", "Version must be %q, got %s", Version, show(m["Version"]))
	}
	if id, ok := m["Id"]; ok {
		if s, isStr := id.(string); !isStr || s == "" {
			return nil, bad(0, "", "Id must be a non-empty string")
		}
	}
	var stmts []any
	switch s := m["Statement"].(type) {
	case map[string]any:
		stmts = []any{s}
	case []any:
		stmts = s
	case nil:
		return nil, bad(0, "", "missing Statement")
	default:
		return nil, bad(0, "", "Statement must be an object or a list of objects")
	}
	if len(stmts) == 0 {
		return nil, bad(0, "", "Statement is empty")
	}
	return stmts, nil
}

func validateStatement(kind Kind, s map[string]any, bucket string, bad func(string, ...any) error) error {
	for _, k := range sortedKeys(s) {
		if !stmtKeys[k] {
			return bad("unknown field %s", k)
		}
	}
	if v, ok := s["Sid"]; ok {
		if err := validateSid(kind, v, bad); err != nil {
			return err
		}
	}
	if e, _ := s["Effect"].(string); e != "Allow" && e != "Deny" {
		return bad("Effect must be \"Allow\" or \"Deny\", got %s", show(s["Effect"]))
	}
	if err := validatePrincipals(kind, s, bad); err != nil {
		return err
	}
	if err := validateActions(kind, s, bad); err != nil {
		return err
	}
	if err := validateResources(kind, s, bucket, bad); err != nil {
		return err
	}
	if c, ok := s["Condition"]; ok {
		return validateCondition(c, bad)
	}
	return nil
}

// validateSid checks a statement's Sid: IAM's documents take only ASCII
// letters and digits.
func validateSid(kind Kind, v any, bad func(string, ...any) error) error {
	sid, isStr := v.(string)
	switch {
	case !isStr:
		return bad("Sid must be a string")
	case kind != BucketResource && !iamSid.MatchString(sid):
		return bad("Sid %q: IAM allows only ASCII letters and digits", sid)
	case sid == "":
		return bad("Sid is empty")
	}
	return nil
}

// validatePrincipals checks Principal and NotPrincipal: which of them the
// document's kind takes, and each one's form.
func validatePrincipals(kind Kind, s map[string]any, bad func(string, ...any) error) error {
	_, hasP := s["Principal"]
	_, hasNP := s["NotPrincipal"]
	switch kind {
	case Identity:
		if hasP || hasNP {
			return bad("has prohibited field %s: an identity policy applies to the user, group or role it is attached to", firstOf(hasP, "Principal", "NotPrincipal"))
		}
	case Trust:
		if hasNP {
			return bad("has prohibited field NotPrincipal: a role trust policy names who may assume the role in Principal")
		}
		if !hasP {
			return bad("missing Principal: a role trust policy must name who may assume the role")
		}
		if s["Principal"] == "*" {
			return bad("Principal \"*\" lets anyone assume the role")
		}
	case BucketResource:
		if hasP == hasNP {
			return bad("needs exactly one of Principal and NotPrincipal: a bucket policy must name who it applies to")
		}
	}
	for _, k := range []string{"Principal", "NotPrincipal"} {
		if v, ok := s[k]; ok {
			if err := validatePrincipal(k, v, bad); err != nil {
				return err
			}
		}
	}
	return nil
}

// validateActions checks Action or NotAction: exactly one of them, each
// service:action, of the services the document's kind takes.
func validateActions(kind Kind, s map[string]any, bad func(string, ...any) error) error {
	_, hasA := s["Action"]
	_, hasNA := s["NotAction"]
	if hasA == hasNA {
		return bad("needs exactly one of Action and NotAction")
	}
	field := firstOf(hasA, "Action", "NotAction")
	actions, err := stringList(s[field])
	if err != nil {
		return bad("%s %v", field, err)
	}
	for _, a := range actions {
		if a != "*" && !actionRE.MatchString(a) {
			return bad("%s %q is not service:action (e.g. s3:GetObject)", field, a)
		}
		svc, _, _ := strings.Cut(a, ":")
		switch {
		case kind == BucketResource && a != "*" && svc != "s3":
			return bad("%s %q: a bucket policy takes only s3: actions", field, a)
		case kind == Trust && svc != "sts":
			return bad("%s %q: a role trust policy takes only sts: actions (sts:AssumeRole)", field, a)
		}
	}
	return nil
}

// validateResources checks Resource or NotResource: none in a trust
// policy, exactly one of them otherwise, each a resource the document's
// kind may name.
func validateResources(kind Kind, s map[string]any, bucket string, bad func(string, ...any) error) error {
	_, hasR := s["Resource"]
	_, hasNR := s["NotResource"]
	if kind == Trust {
		if hasR || hasNR {
			return bad("has prohibited field %s: a role trust policy names no resource (the role is the resource)", firstOf(hasR, "Resource", "NotResource"))
		}
		return nil
	}
	if hasR == hasNR {
		return bad("needs exactly one of Resource and NotResource")
	}
	field := firstOf(hasR, "Resource", "NotResource")
	res, err := stringList(s[field])
	if err != nil {
		return bad("%s %v", field, err)
	}
	for _, r := range res {
		if err := validateResource(kind, r, bucket); err != nil {
			return bad("%s %q: %v", field, r, err)
		}
	}
	return nil
}

// validateCondition checks a Condition block: known operators, each over
// a non-empty object of key → value.
func validateCondition(c any, bad func(string, ...any) error) error {
	cm, isMap := c.(map[string]any)
	if !isMap || len(cm) == 0 {
		return bad("Condition must be a non-empty object of operator → {key: value}")
	}
	for _, op := range sortedKeys(cm) {
		if !knownOperator(op) {
			return bad("unknown condition operator %s", op)
		}
		keys, isMap := cm[op].(map[string]any)
		if !isMap || len(keys) == 0 {
			return bad("condition %s must be a non-empty object of key → value", op)
		}
		for _, k := range sortedKeys(keys) {
			if k == "" || strings.ContainsFunc(k, unicode.IsSpace) {
				return bad("condition %s: invalid key %q", op, k)
			}
			if err := conditionValue(keys[k]); err != nil {
				return bad("condition %s %s: %v", op, k, err)
			}
		}
	}
	return nil
}

func validatePrincipal(field string, v any, bad func(string, ...any) error) error {
	if s, ok := v.(string); ok {
		if s != "*" {
			return bad("%s %q: a string principal must be \"*\"; name others as {\"AWS\": …}, {\"Service\": …}", field, s)
		}
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return bad("%s must be \"*\" or a non-empty object (AWS, Service, Federated, CanonicalUser)", field)
	}
	for _, k := range sortedKeys(m) {
		if !principal[k] {
			return bad("%s: unknown principal type %s (AWS, Service, Federated, CanonicalUser)", field, k)
		}
		if _, err := stringList(m[k]); err != nil {
			return bad("%s %s %v", field, k, err)
		}
	}
	return nil
}

func validateResource(kind Kind, r, bucket string) error {
	if r == "*" {
		if kind == BucketResource {
			return fmt.Errorf("a bucket policy's resources must be inside bucket %s", bucket)
		}
		return nil
	}
	a, err := arn.Parse(r)
	if err != nil {
		return fmt.Errorf("not an ARN (arn:partition:service:region:account:resource)")
	}
	if a.Partition == "" || a.Service == "" || a.Resource == "" {
		return fmt.Errorf("incomplete ARN (partition, service and resource are required)")
	}
	if kind == BucketResource {
		inside := a.Service == "s3" && a.Region == "" && a.AccountID == "" &&
			(a.Resource == bucket || strings.HasPrefix(a.Resource, bucket+"/"))
		if bucket == "" || !inside {
			return fmt.Errorf("outside bucket %s: a bucket policy's resources must be the bucket or objects in it", bucket)
		}
	}
	return nil
}

func knownOperator(op string) bool {
	op = strings.TrimPrefix(strings.TrimPrefix(op, "ForAnyValue:"), "ForAllValues:")
	if base, ok := strings.CutSuffix(op, "IfExists"); ok {
		return base != "Null" && conditionOps[base]
	}
	return conditionOps[op]
}

func conditionValue(v any) error {
	switch t := v.(type) {
	case string, bool, json.Number:
		return nil
	case []any:
		if len(t) == 0 {
			return fmt.Errorf("the value list is empty")
		}
		for _, x := range t {
			switch x.(type) {
			case string, bool, json.Number:
			default:
				return fmt.Errorf("values must be strings, numbers or booleans")
			}
		}
		return nil
	}
	return fmt.Errorf("the value must be a string, number, boolean or a list of them")
}

// stringList accepts a non-empty string or a non-empty list of non-empty
// strings (IAM takes both forms).
func stringList(v any) ([]string, error) {
	switch t := v.(type) {
	case string:
		if t == "" {
			return nil, fmt.Errorf("is empty")
		}
		return []string{t}, nil
	case []any:
		if len(t) == 0 {
			return nil, fmt.Errorf("is an empty list")
		}
		out := make([]string, 0, len(t))
		for _, x := range t {
			s, ok := x.(string)
			if !ok || s == "" {
				return nil, fmt.Errorf("must list non-empty strings")
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("must be a string or a list of strings")
}

// findNull returns the path of the first JSON null in v ("" if none).
func findNull(v any, path string) string {
	switch t := v.(type) {
	case nil:
		if path == "" {
			return "(document)"
		}
		return path
	case map[string]any:
		for _, k := range sortedKeys(t) {
			if p := findNull(t[k], path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		for i, x := range t {
			if p := findNull(x, fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

// nullError names the statement holding the null, when it is in one.
func nullError(kind Kind, top any, path string) error {
	e := &Error{Kind: kind}
	field := strings.TrimPrefix(path, ".")
	if rest, ok := strings.CutPrefix(path, ".Statement"); ok {
		e.Statement = 1
		if strings.HasPrefix(rest, "[") {
			fmt.Sscanf(rest, "[%d]", &e.Statement)
			e.Statement++
			rest = rest[strings.IndexByte(rest, ']')+1:]
		}
		field = strings.TrimPrefix(rest, ".")
		if m, ok := top.(map[string]any); ok {
			var s any = m["Statement"]
			if l, isList := s.([]any); isList && e.Statement-1 < len(l) {
				s = l[e.Statement-1]
			}
			if sm, isMap := s.(map[string]any); isMap {
				e.Sid, _ = sm["Sid"].(string)
			}
		}
	}
	e.Rule = fmt.Sprintf("%s is null: AWS refuses JSON null anywhere in a policy (leave the field out)", field)
	return e
}

func nonSpace(s string) int {
	n := 0
	for _, r := range s {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

func firstOf(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

func show(v any) string {
	if v == nil {
		return "nothing"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSpace(b.String())
}
