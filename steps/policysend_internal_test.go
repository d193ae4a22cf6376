package steps

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/policy"
)

// Every SDK call that carries a policy document must be made in
// policysend.go, where the document is checked first. A new call site
// elsewhere (a merged bucket policy, a key policy…) fails this test.
func TestPolicyCallsGoThroughOnePlace(t *testing.T) {
	carriers := map[string]bool{
		"PutBucketPolicy": true, "PutRolePolicy": true, "PutUserPolicy": true, "PutGroupPolicy": true,
		"CreatePolicy": true, "CreatePolicyVersion": true, "CreateRole": true, "UpdateAssumeRolePolicy": true,
		"PutKeyPolicy": true,
	}
	fset := token.NewFileSet()
	seen := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != ".." || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !carriers[sel.Sel.Name] {
				return true
			}
			if filepath.ToSlash(path) == "../steps/policysend.go" {
				seen++
				return true
			}
			t.Errorf("%s: %s is called outside steps/policysend.go: send policy documents through its checked functions", fset.Position(call.Pos()), sel.Sel.Name)
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 5 {
		t.Errorf("policysend.go makes %d policy calls, want the 5 the wizard sends (CreatePolicy, CreatePolicyVersion, PutRolePolicy, CreateRole, PutBucketPolicy)", seen)
	}
}

// The send functions refuse a bad document before any network call: the
// clients here point at a closed port, so reaching AWS would be a different
// (connection) error.
func TestSendFunctionsRefuseBadDocuments(t *testing.T) {
	ctx := context.Background()
	cfg := sdk.Config{Region: "eu-west-3", BaseEndpoint: sdk.String("http://127.0.0.1:1"), Credentials: sdk.AnonymousCredentials{}}
	icl, scl := iam.NewFromConfig(cfg), s3.NewFromConfig(cfg)
	nullTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":null}]}`
	withPrincipal := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`
	otherBucket := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}`
	for name, call := range map[string]func() error{
		"CreateRole": func() error {
			_, err := createRole(ctx, icl, &iam.CreateRoleInput{RoleName: sdk.String("r"), AssumeRolePolicyDocument: &nullTrust})
			return err
		},
		"CreatePolicy": func() error {
			_, err := createPolicy(ctx, icl, &iam.CreatePolicyInput{PolicyName: sdk.String("p"), PolicyDocument: &withPrincipal})
			return err
		},
		"CreatePolicyVersion": func() error {
			_, err := createPolicyVersion(ctx, icl, &iam.CreatePolicyVersionInput{PolicyArn: sdk.String("arn:aws:iam::1:policy/p"), PolicyDocument: &withPrincipal})
			return err
		},
		"PutRolePolicy": func() error {
			_, err := putRolePolicy(ctx, icl, &iam.PutRolePolicyInput{RoleName: sdk.String("r"), PolicyName: sdk.String("p"), PolicyDocument: &withPrincipal})
			return err
		},
		"PutBucketPolicy": func() error {
			_, err := SendBucketPolicy(ctx, scl, &s3.PutBucketPolicyInput{Bucket: sdk.String("b"), Policy: &otherBucket})
			return err
		},
	} {
		err := call()
		var pe *policy.Error
		if !errors.As(err, &pe) {
			t.Errorf("%s sent a bad document (or failed otherwise): %v", name, err)
		} else if !strings.Contains(err.Error(), "not sent") {
			t.Errorf("%s: message does not say it was not sent: %v", name, err)
		}
	}
}

// recordingAnalyzer stands in for IAM Access Analyzer, which moto lacks:
// these tests cover the requests built and what the wizard does with the
// findings, not AWS's own analysis (unverifiable here).
type recordingAnalyzer struct {
	got      []*accessanalyzer.ValidatePolicyInput
	findings []aatypes.ValidatePolicyFinding
	err      error
}

func (f *recordingAnalyzer) ValidatePolicy(_ context.Context, in *accessanalyzer.ValidatePolicyInput, _ ...func(*accessanalyzer.Options)) (*accessanalyzer.ValidatePolicyOutput, error) {
	f.got = append(f.got, in)
	if f.err != nil {
		return nil, f.err
	}
	return &accessanalyzer.ValidatePolicyOutput{Findings: f.findings}, nil
}

func TestAccessAnalyzerRequestPerKind(t *testing.T) {
	for _, tc := range []struct {
		kind     policy.Kind
		typ      aatypes.PolicyType
		resource aatypes.ValidatePolicyResourceType
	}{
		{policy.Identity, aatypes.PolicyTypeIdentityPolicy, ""},
		{policy.BucketResource, aatypes.PolicyTypeResourcePolicy, "AWS::S3::Bucket"},
		{policy.Trust, aatypes.PolicyTypeResourcePolicy, "AWS::IAM::AssumeRolePolicyDocument"},
	} {
		rec := &recordingAnalyzer{}
		p := &Plan{}
		if err := analyzePolicy(context.Background(), rec, p, tc.kind, "doc", `{"Version":"2012-10-17"}`); err != nil {
			t.Fatal(err)
		}
		if len(rec.got) != 1 || rec.got[0].PolicyType != tc.typ || rec.got[0].ValidatePolicyResourceType != tc.resource {
			t.Errorf("%s: request %+v, want type %s resource %q", tc.kind, rec.got, tc.typ, tc.resource)
		}
		if !strings.Contains(strings.Join(p.Notices, "\n"), "validated") {
			t.Errorf("%s: no findings should be reported as validated: %v", tc.kind, p.Notices)
		}
	}
}

func TestAccessAnalyzerFindings(t *testing.T) {
	finding := func(typ aatypes.ValidatePolicyFindingType, detail string) aatypes.ValidatePolicyFinding {
		return aatypes.ValidatePolicyFinding{FindingType: typ, FindingDetails: sdk.String(detail), IssueCode: sdk.String("CODE")}
	}
	// An ERROR finding (a part of the policy that cannot work) stops the plan.
	rec := &recordingAnalyzer{findings: []aatypes.ValidatePolicyFinding{finding(aatypes.ValidatePolicyFindingTypeError, "Invalid principal")}}
	err := analyzePolicy(context.Background(), rec, &Plan{}, policy.Trust, "trust policy of role r", "{}")
	if err == nil || !strings.Contains(err.Error(), "trust policy of role r") || !strings.Contains(err.Error(), "Invalid principal") {
		t.Errorf("an ERROR finding must refuse the plan naming the document: %v", err)
	}
	// A security warning is a warning; an unavailable API is a notice.
	p := &Plan{}
	rec = &recordingAnalyzer{findings: []aatypes.ValidatePolicyFinding{finding(aatypes.ValidatePolicyFindingTypeSecurityWarning, "Pass role with star")}}
	if err := analyzePolicy(context.Background(), rec, p, policy.Identity, "doc", "{}"); err != nil || len(p.Warnings) != 1 {
		t.Errorf("security warning: err %v, warnings %v", err, p.Warnings)
	}
	p = &Plan{}
	rec = &recordingAnalyzer{err: errors.New("AccessDeniedException: not authorized")}
	if err := analyzePolicy(context.Background(), rec, p, policy.Identity, "doc", "{}"); err != nil || !strings.Contains(strings.Join(p.Notices, "\n"), "skipped") {
		t.Errorf("unavailable API: err %v, notices %v", err, p.Notices)
	}
}

// On AWS the analyzer is asked; behind a custom endpoint (moto, MinIO) or
// without credentials it is not, and the plan says so.
func TestAccessAnalyzerOnlyOnAWS(t *testing.T) {
	if got := analyzerSkipReason(&Run{AWS: &aws.Clients{}}); got != "" {
		t.Errorf("on AWS the analyzer must be asked, got skip %q", got)
	}
	if got := analyzerSkipReason(&Run{AWS: &aws.Clients{Endpoint: "http://127.0.0.1:5000"}}); !strings.Contains(got, "skipped") {
		t.Errorf("custom endpoint: %q", got)
	}
	if got := analyzerSkipReason(&Run{Offline: true, AWS: &aws.Clients{}}); got == "" {
		t.Error("offline: the analyzer cannot be asked")
	}
	// A bad document is refused before the analyzer is considered.
	r := &Run{AWS: &aws.Clients{Endpoint: "http://127.0.0.1:1"}}
	err := checkPolicy(context.Background(), r, &Plan{}, policy.Trust, "trust policy of role r", policy.Document{Version: "2012-10-17",
		Statement: []policy.Statement{{Effect: "Allow", Principal: map[string]any{"Service": "ec2.amazonaws.com"}, Action: "sts:AssumeRole", Resource: "*"}}}.JSON(), "")
	if err == nil || !strings.Contains(err.Error(), "prohibited field Resource") {
		t.Errorf("checkPolicy let a trust policy with a Resource through: %v", err)
	}
}
