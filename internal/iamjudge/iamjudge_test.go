package iamjudge_test

import (
	"strings"
	"testing"

	"github.com/s3wizard/s3wizard/internal/iamjudge"
)

// The evaluator itself: it reports an action that does not exist, one on a
// resource type it does not take, and a condition key the action does not
// know; and a condition decides a request (what moto ignores).
func TestJudgeFindsWhatIsWrong(t *testing.T) {
	bad := map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Sid": "WrongType", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b/*"},
		map[string]any{"Sid": "NoSuchAction", "Effect": "Allow", "Action": "s3:HeadObject", "Resource": "arn:aws:s3:::b/*"},
		map[string]any{"Sid": "WrongKey", "Effect": "Allow", "Action": "iam:AttachGroupPolicy", "Resource": "arn:aws:iam::123456789012:group/g",
			"Condition": map[string]any{"StringEquals": map[string]any{"kms:ViaService": "s3.eu-west-3.amazonaws.com"}}},
	}}
	deny := map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*",
			"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}},
	}}
	allow := iamjudge.Policy{Name: "p", Policy: map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}}}
	req := func(tls string) iamjudge.Simulation {
		return iamjudge.Simulation{Request: iamjudge.Request{Principal: "arn:aws:iam::123456789012:user/u", Action: "s3:GetObject",
			Resource: iamjudge.Resource{Resource: "arn:aws:s3:::b/k", AccountID: "123456789012"}, ContextVariables: map[string]string{"aws:SecureTransport": tls}},
			IdentityPolicies: []iamjudge.Policy{allow}, ResourcePolicy: deny}
	}
	v := iamjudge.Judge(t, map[string]iamjudge.Simulation{"tls": req("true"), "plain": req("false")}, []iamjudge.Document{{Name: "bad", Policy: bad}, {Name: "deny", Policy: deny}})
	got := strings.Join(v.Findings, "\n")
	for _, want := range []string{"WrongType: s3:ListBucket does not take the resource", "NoSuchAction: action s3:HeadObject does not exist", "WrongKey: condition key kms:ViaService is not valid for iam:AttachGroupPolicy"} {
		if !strings.Contains(got, want) {
			t.Errorf("no finding %q in:\n%s", want, got)
		}
	}
	if len(v.Findings) != 3 {
		t.Errorf("want 3 findings, got:\n%s", got)
	}
	for _, r := range v.Results {
		want := map[string]string{"tls": iamjudge.Allowed, "plain": iamjudge.ExplicitlyDenied}[r.ID]
		if r.Decision != want {
			t.Errorf("%s: %s %s, want %s", r.ID, r.Decision, r.Error, want)
		}
	}
	if len(v.Results) != 2 {
		t.Errorf("results: %+v", v.Results)
	}
}
