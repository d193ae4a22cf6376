package steps

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
	"github.com/s3wizard/s3wizard/config"
	"github.com/s3wizard/s3wizard/engine"
	"github.com/s3wizard/s3wizard/internal/text"
)

// Browsers read a cross-origin response (a web font, an ES module, the
// answer to a direct upload) only when the bucket's CORS rules allow the
// page's origin. S3 has one CORS configuration per bucket, a list of rules
// without prefixes: the wizard owns one rule, named by CORSRuleID, merged
// into whatever rules the bucket's owner has (kept as they are, in order).

// CORSRuleID names the wizard's CORS rule; a rule of another ID is not the
// wizard's, and neither apply nor destroy changes it.
const CORSRuleID = "S3WizardBrowsers"

// corsWhat names the CORS rules in the provider's refusals.
const corsWhat = "cors"

// corsMaxAge is how long browsers may cache a preflight answer (seconds).
const corsMaxAge = 3000

// corsReads: the public and static files are fetched by pages of the site.
func corsReads(a *config.Answers) bool { return len(a.PublicReadPrefixes()) > 0 }

// wantedCORSRule is the wizard's CORS rule for the answers: GET and HEAD
// when public or static files are served, PUT and POST for direct browser
// uploads (their preflight asks for Content-Type and the x-amz-* headers of
// the signed request, and the upload code reads the ETag). ok is false when
// no rule is wanted.
func wantedCORSRule(a *config.Answers) (rule types.CORSRule, ok bool) {
	if !a.WantsCORS() {
		return types.CORSRule{}, false
	}
	var methods []string
	if corsReads(a) {
		methods = append(methods, http.MethodGet, http.MethodHead)
	}
	rule = types.CORSRule{ID: sdk.String(CORSRuleID), AllowedOrigins: slices.Clone(a.CORSOrigins), MaxAgeSeconds: sdk.Int32(corsMaxAge)}
	if a.CORSUploads {
		methods = append(methods, http.MethodPut, http.MethodPost)
		rule.AllowedHeaders = []string{"*"}
		rule.ExposeHeaders = []string{"ETag"}
	}
	rule.AllowedMethods = methods
	return rule, true
}

// mergedCORS is the bucket's rules with the wizard's replaced by want
// (dropped when !ok, added last when absent), the others kept in their
// order, and the others' count.
func mergedCORS(live []types.CORSRule, want types.CORSRule, ok bool) (rules []types.CORSRule, foreign int) {
	placed := false
	for _, r := range live {
		if sdk.ToString(r.ID) != CORSRuleID {
			rules = append(rules, r)
			foreign++
			continue
		}
		if ok && !placed {
			rules, placed = append(rules, want), true
		}
	}
	if ok && !placed {
		rules = append(rules, want)
	}
	return rules, foreign
}

// corsKey is a rule by meaning: S3 may return lists in another order.
func corsKey(r types.CORSRule) string {
	sorted := func(l []string) string { l = slices.Clone(l); slices.Sort(l); return strings.Join(l, ",") }
	return fmt.Sprintf("%s|%s|%s|%s|%s|%d", sdk.ToString(r.ID), sorted(r.AllowedMethods), sorted(r.AllowedOrigins),
		sorted(r.AllowedHeaders), sorted(r.ExposeHeaders), sdk.ToInt32(r.MaxAgeSeconds))
}

func sameCORS(a, b []types.CORSRule) bool {
	return slices.EqualFunc(a, b, func(x, y types.CORSRule) bool { return corsKey(x) == corsKey(y) })
}

// wizardCORSRule is the wizard's rule among the bucket's (nil: none).
func wizardCORSRule(rules []types.CORSRule) *types.CORSRule {
	for i := range rules {
		if sdk.ToString(rules[i].ID) == CORSRuleID {
			return &rules[i]
		}
	}
	return nil
}

// readCORS is the one reader of a bucket's CORS rules: none (nil, nil)
// when the bucket has no CORS configuration.
func readCORS(ctx context.Context, cl aws.S3API, bucket string) ([]types.CORSRule, error) {
	out, err := cl.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: &bucket})
	switch {
	case aws.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return out.CORSRules, nil
}

// putCORS writes rules as the bucket's CORS configuration, or deletes it
// when none is left.
func putCORS(ctx context.Context, cl aws.S3API, bucket string, rules []types.CORSRule) error {
	ctx = conflict.In(ctx)
	if len(rules) == 0 {
		_, err := cl.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: &bucket})
		return err
	}
	_, err := cl.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: &bucket, CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}})
	return err
}

func corsSummary(r types.CORSRule) string {
	return fmt.Sprintf("CORS rule %s: %s from %s", CORSRuleID, strings.Join(r.AllowedMethods, ", "), strings.Join(r.AllowedOrigins, ", "))
}

// planCORS adds to p what makes the bucket's CORS rules the wanted ones:
// the wizard's rule put, changed or removed, every other rule kept.
func planCORS(ctx context.Context, r *Run, p *Plan) error {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	if reason := r.refusal(corsWhat); reason != "" {
		p.Notice("%s", skippedLine("CORS rules", reason))
		return nil
	}
	want, ok := wantedCORSRule(a)
	live, err := readCORS(ctx, cl, a.Bucket)
	if !ok && providerRefusal(a, err) != "" {
		return nil // a provider without CORS rules: none of the wizard's to remove
	}
	if r.planRefusal(p, err, corsWhat, "CORS rules") {
		return nil
	}
	if err != nil && !r.Offline {
		return fmt.Errorf("read the CORS rules of %s: %w", a.Bucket, err)
	}
	rules, foreign := mergedCORS(live, want, ok)
	if foreign > 0 {
		p.Notice("the CORS configuration of %s has %d rule(s) that are not the wizard's: kept as they are (S3 uses the first rule that matches a request); the wizard's rule %s is merged in by ID", a.Bucket, foreign, CORSRuleID)
	}
	if !ok && wantsCORSWithoutOrigins(a) {
		p.Notice("no cors_origins: browsers on your site's pages cannot read the public or static files (web fonts, ES modules) or upload straight to the bucket; answer cors_origins (e.g. https://www.example.com) if they need to")
	}
	switch {
	case sameCORS(live, rules):
		if ok {
			p.Notice("CORS rule %s as wanted", CORSRuleID)
		}
	case !ok:
		p.Add(&Action{Summary: "remove the wizard's CORS rule " + CORSRuleID + " (no origins or nothing browsers fetch any more)",
			Calls: []string{corsCall(rules)},
			Do:    r.orRefused(func(ctx context.Context) error { return putCORS(ctx, cl, a.Bucket, rules) }, "public", corsWhat, "CORS rules")})
	default:
		p.Add(&Action{Summary: corsSummary(want), Calls: []string{"s3:PutBucketCors"},
			Do: r.orRefused(func(ctx context.Context) error { return putCORS(ctx, cl, a.Bucket, rules) }, "public", corsWhat, "CORS rules")})
	}
	return nil
}

func corsCall(rules []types.CORSRule) string {
	if len(rules) == 0 {
		return "s3:DeleteBucketCors"
	}
	return "s3:PutBucketCors"
}

func wantsCORSWithoutOrigins(a *config.Answers) bool {
	return (corsReads(a) || a.CORSUploads) && len(a.CORSOrigins) == 0
}

// RemoveWizardCORS removes the wizard's CORS rule from the media bucket
// and keeps every other rule (destroy, on a bucket it keeps). It reports
// whether there was one; a provider that refused CORS has none.
func (r *Run) RemoveWizardCORS(ctx context.Context) (bool, error) {
	if r.refusal(corsWhat) != "" {
		return false, nil
	}
	cl, bucket := r.AWS.S3In(r.Answers.Region), r.Answers.Bucket
	live, err := readCORS(ctx, cl, bucket)
	if providerRefusal(r.Answers, err) != "" {
		return false, nil // a provider without CORS rules: none of the wizard's
	}
	if err != nil {
		return false, err
	}
	if wizardCORSRule(live) == nil {
		return false, nil
	}
	rules, _ := mergedCORS(live, types.CORSRule{}, false)
	return true, putCORS(ctx, cl, bucket, rules)
}

// refusedOrigin is an origin no site has (.invalid is reserved, RFC 2606):
// the preflight from it must be refused.
const refusedOrigin = "https://s3wizard-refused.invalid"

// verifyCORS checks the wizard's rule and proves it with real preflight
// requests (OPTIONS with Origin and Access-Control-Request-Method), as a
// browser sends them: from an allowed origin, for each method the rule
// grants, and from an origin it does not list.
func verifyCORS(ctx context.Context, r *Run) []Check {
	a := r.Answers
	want, ok := wantedCORSRule(a)
	if !ok {
		return nil
	}
	const rulesName = "CORS rule for the site's origins"
	if reason := r.refusal(corsWhat); reason != "" {
		return []Check{Skip(CheckCORSRules, rulesName, skippedLine("CORS rules", reason))}
	}
	live, err := readCORS(ctx, r.AWS.S3In(a.Region), a.Bucket)
	if err != nil {
		return []Check{Fail(CheckCORSRules, rulesName, aws.Explain(err).Error())}
	}
	got := wizardCORSRule(live)
	if got == nil || corsKey(*got) != corsKey(want) {
		return []Check{Fail(CheckCORSRules, rulesName, "the bucket's CORS rule "+CORSRuleID+" is missing or differs from the answers: run apply")}
	}
	checks := []Check{Pass(CheckCORSRules, rulesName, corsSummary(want))}
	origin := concreteOrigin(a.CORSOrigins[0])
	url := r.ObjectURL(corsProbeKey(a))
	hc := &http.Client{Timeout: 15 * time.Second}
	for _, m := range []string{http.MethodGet, http.MethodPut} {
		if !slices.Contains(want.AllowedMethods, m) {
			continue
		}
		name := fmt.Sprintf("browser preflight: %s from %s allowed", m, origin)
		checks = append(checks, engine.RetryCheck(ctx, r.keyPropagation(), func() Check {
			allowed, detail := CORSPreflight(ctx, hc, url, origin, m)
			if !allowed {
				return Fail(CheckCORSPreflight, name, detail)
			}
			return Pass(CheckCORSPreflight, name, detail)
		}))
	}
	m := want.AllowedMethods[0]
	name := fmt.Sprintf("browser preflight: %s from %s refused", m, refusedOrigin)
	if allowed, detail := CORSPreflight(ctx, hc, url, refusedOrigin, m); allowed {
		checks = append(checks, Fail(CheckCORSRefused, name, detail+": the rules allow an origin they do not list"))
	} else {
		checks = append(checks, Pass(CheckCORSRefused, name, detail))
	}
	return checks
}

// corsProbeKey is the object the preflights name (S3 answers a preflight
// from the bucket's rules, whatever the key; the object need not exist).
func corsProbeKey(a *config.Answers) string {
	if pre := a.PublicReadPrefixes(); len(pre) > 0 {
		return pre[0] + ".s3wizard-cors-probe"
	}
	return "uploads/.s3wizard-cors-probe"
}

// concreteOrigin is an origin a browser could send for an allowed one
// (https://*.example.com → https://www.example.com).
func concreteOrigin(o string) string { return strings.Replace(o, "*", "www", 1) }

// CORSPreflight sends the CORS preflight a browser sends before a cross-origin
// method request to url from origin, and reports whether the answer allows
// it: 200, Access-Control-Allow-Origin naming the origin (or *) and
// Access-Control-Allow-Methods listing the method. detail says what came
// back.
func CORSPreflight(ctx context.Context, hc *http.Client, url, origin, method string) (allowed bool, detail string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodOptions, url, nil)
	if err != nil {
		return false, err.Error()
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", method)
	if method == http.MethodPut {
		req.Header.Set("Access-Control-Request-Headers", "content-type")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return false, "OPTIONS " + url + ": " + text.FirstLine(err.Error())
	}
	defer resp.Body.Close()
	acao := resp.Header.Get("Access-Control-Allow-Origin")
	methods := strings.Split(strings.ReplaceAll(resp.Header.Get("Access-Control-Allow-Methods"), " ", ""), ",")
	detail = fmt.Sprintf("OPTIONS answered %d, Access-Control-Allow-Origin %q, Access-Control-Allow-Methods %q", resp.StatusCode, acao, resp.Header.Get("Access-Control-Allow-Methods"))
	allowed = resp.StatusCode == http.StatusOK && (acao == origin || acao == "*") && slices.Contains(methods, method)
	return allowed, detail
}
