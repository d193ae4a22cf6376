// Package policy renders the IAM and bucket policy documents the wizard
// writes, and compares documents by meaning (AWS reformats what it stores).
package policy

import (
	"encoding/json"
	"net/url"
	"reflect"
	"sort"
	"strings"
)

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one policy statement. Fields hold either a string or a list,
// as IAM accepts both. Resource is left out when nil: a role trust policy
// must have none (IAM refuses even "Resource": null, "Has prohibited field
// Resource").
type Statement struct {
	Sid       string         `json:"Sid,omitempty"`
	Effect    string         `json:"Effect"`
	Principal any            `json:"Principal,omitempty"`
	Action    any            `json:"Action"`
	Resource  any            `json:"Resource,omitempty"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// JSON renders the document (indented, stable).
func (d Document) JSON() string {
	b, _ := json.MarshalIndent(d, "", "  ")
	return string(b)
}

// AppActions are the object actions the Django app needs. s3:HeadObject is not
// an IAM action (HEAD is authorised by s3:GetObject) and s3:PutObjectAcl is
// useless with ACLs disabled, so neither appears.
var AppActions = []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"}

// App is the least-privilege policy of the app's IAM user or role:
// ListBucket on the bucket (without it a HEAD on a missing key is 403, so
// django-storages' exists() raises) and object actions under its prefixes.
// kmsKeyARN (a key ARN, or an alias ARN) adds what SSE-KMS needs, only
// through S3 in region (kms:ViaService), so the key cannot be used directly
// with these credentials.
func App(bucket string, prefixes []string, kmsKeyARN, region string) Document {
	var objs []string
	for _, p := range prefixes {
		objs = append(objs, "arn:aws:s3:::"+bucket+"/"+strings.TrimSuffix(p, "/")+"/*")
	}
	d := Document{Version: "2012-10-17", Statement: []Statement{
		{Sid: "ListBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::" + bucket},
		{Sid: "ObjectsUnderAppPrefixes", Effect: "Allow", Action: AppActions, Resource: objs},
	}}
	if kmsKeyARN != "" {
		st := Statement{Sid: "UseBucketKMSKey", Effect: "Allow",
			Action: []string{"kms:GenerateDataKey", "kms:Decrypt"}, Resource: kmsKeyARN,
			Condition: map[string]any{"StringEquals": map[string]any{"kms:ViaService": S3Service(region)}}}
		if prefix, alias, ok := strings.Cut(kmsKeyARN, ":alias/"); ok {
			// A key named by its alias: IAM matches KMS resources by key
			// ARN, and S3 calls KMS with the key it resolved, so the
			// statement covers the account's keys in the region that carry
			// the alias (kms:ResourceAliases, AWS KMS Developer Guide,
			// "Using aliases to control access to KMS keys").
			st.Resource = prefix + ":key/*"
			st.Condition["ForAnyValue:StringEquals"] = map[string]any{"kms:ResourceAliases": "alias/" + alias}
		}
		d.Statement = append(d.Statement, st)
	}
	return d
}

// S3Service is S3's service name in region, as kms:ViaService sees it. The
// wizard offers commercial-partition regions only (config.ValidateRegion), so
// the DNS suffix is always amazonaws.com.
func S3Service(region string) string {
	return "s3." + region + ".amazonaws.com"
}

// BucketOptions shape the media bucket's policy.
type BucketOptions struct {
	PublicPrefixes []string
	// DenyInsecure adds the deny of non-TLS requests (Security Hub S3.5).
	// Leave it off on an endpoint without TLS: it would lock every client out.
	DenyInsecure bool
	// CloudFrontPrefixes are served through a CloudFront distribution with
	// origin access control: CloudFront's service principal may read them,
	// only on behalf of CloudFrontSourceARN (the distribution's ARN).
	CloudFrontPrefixes  []string
	CloudFrontSourceARN string
}

// CloudFrontService is CloudFront's service principal.
const CloudFrontService = "cloudfront.amazonaws.com"

// CloudFrontRead is the statement letting one CloudFront distribution, and
// no other, read objects under prefixes through its origin access control:
// AWS's example, "Give the origin access control permission to access the
// S3 bucket" (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html),
// with the bucket's objects narrowed to the public prefixes.
func CloudFrontRead(bucket string, prefixes []string, distributionARN string) Statement {
	return Statement{Sid: SidCloudFrontRead, Effect: "Allow",
		Principal: map[string]any{"Service": CloudFrontService},
		Action:    "s3:GetObject", Resource: objectARNs(bucket, prefixes),
		Condition: map[string]any{"StringEquals": map[string]any{"AWS:SourceArn": distributionARN}}}
}

// CloudFrontKeyStatement is the KMS key policy statement AWS documents for
// OAC with SSE-KMS (same page, "SSE-KMS"): CloudFront's service principal
// may decrypt with the key on behalf of this distribution only. The wizard
// does not manage key policies: it is given to the key's owner to add.
func CloudFrontKeyStatement(distributionARN string) Statement {
	return Statement{Sid: "AllowCloudFrontServicePrincipalSSE-KMS", Effect: "Allow",
		Principal: map[string]any{"Service": CloudFrontService},
		Action:    "kms:Decrypt", Resource: "*",
		Condition: map[string]any{"StringEquals": map[string]any{"AWS:SourceArn": distributionARN}}}
}

func objectARNs(bucket string, prefixes []string) []string {
	var res []string
	for _, p := range prefixes {
		res = append(res, "arn:aws:s3:::"+bucket+"/"+strings.TrimSuffix(p, "/")+"/*")
	}
	return res
}

// Bucket renders the media bucket's policy; ok is false when it has no
// statement at all (then the bucket should have no policy).
func Bucket(bucket string, o BucketOptions) (d Document, ok bool) {
	d = Document{Version: "2012-10-17"}
	if len(o.PublicPrefixes) > 0 {
		d.Statement = append(d.Statement, Statement{Sid: SidPublicRead, Effect: "Allow",
			Principal: "*", Action: "s3:GetObject", Resource: objectARNs(bucket, o.PublicPrefixes)})
	}
	if len(o.CloudFrontPrefixes) > 0 {
		d.Statement = append(d.Statement, CloudFrontRead(bucket, o.CloudFrontPrefixes, o.CloudFrontSourceARN))
	}
	if o.DenyInsecure {
		d.Statement = append(d.Statement, Statement{Sid: SidDenyInsecure, Effect: "Deny",
			Principal: "*", Action: "s3:*",
			Resource:  []string{"arn:aws:s3:::" + bucket, "arn:aws:s3:::" + bucket + "/*"},
			Condition: map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}})
	}
	return d, len(d.Statement) > 0
}

// LogDelivery is the log bucket's policy: the S3 logging service may write
// under logs/ only for the source bucket of this account (ACL grants are
// impossible with ACLs disabled).
func LogDelivery(logBucket, sourceBucket, account string, denyInsecure bool) Document {
	d := Document{Version: "2012-10-17", Statement: []Statement{{
		Sid: SidLogDelivery, Effect: "Allow",
		Principal: map[string]any{"Service": "logging.s3.amazonaws.com"},
		Action:    "s3:PutObject",
		Resource:  "arn:aws:s3:::" + logBucket + "/logs/*",
		Condition: map[string]any{
			"ArnLike":      map[string]any{"aws:SourceArn": "arn:aws:s3:::" + sourceBucket},
			"StringEquals": map[string]any{"aws:SourceAccount": account},
		},
	}}}
	if denyInsecure {
		d.Statement = append(d.Statement, Statement{Sid: SidDenyInsecure, Effect: "Deny",
			Principal: "*", Action: "s3:*",
			Resource:  []string{"arn:aws:s3:::" + logBucket, "arn:aws:s3:::" + logBucket + "/*"},
			Condition: map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}})
	}
	return d
}

// EC2Trust is the trust policy of an instance role.
func EC2Trust() Document {
	return Document{Version: "2012-10-17", Statement: []Statement{{
		Effect: "Allow", Principal: map[string]any{"Service": "ec2.amazonaws.com"}, Action: "sts:AssumeRole",
	}}}
}

// Equal compares two policy documents by meaning: key order, white space,
// URL-encoding (IAM returns documents URL-encoded), a lone string versus a
// one-element list and the order of list items do not matter.
//
// hashicorp/awspolicyequivalence (Terraform's comparison) was weighed for
// this (issue 21) and not taken: it refuses IAM's URL-encoded documents and
// calls MinIO's {"AWS": ["*"]} different from "*", both of which the wizard
// reads back; what it sees and Equal does not (an account ID principal
// against its root ARN, false against "false" in a condition) never differs
// between what the wizard writes and reads back.
func Equal(a, b string) bool {
	na, errA := normalize(a)
	nb, errB := normalize(b)
	if errA != nil || errB != nil {
		return false
	}
	return reflect.DeepEqual(na, nb)
}

func normalize(doc string) (any, error) {
	if strings.HasPrefix(strings.TrimSpace(doc), "%7B") || strings.Contains(doc, "%22") {
		if d, err := url.QueryUnescape(doc); err == nil {
			doc = d
		}
	}
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return nil, err
	}
	return canon(v), nil
}

func canon(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range t {
			out[k] = canon(x)
			// "Principal": "*" means {"AWS": "*"} (anyone, anonymous
			// included); MinIO stores it in the long form.
			if (k == "Principal" || k == "NotPrincipal") && x == "*" {
				out[k] = map[string]any{"AWS": "*"}
			}
		}
		return out
	case []any:
		if len(t) == 1 {
			return canon(t[0])
		}
		items := make([]any, len(t))
		keys := make([]string, len(t))
		for i, x := range t {
			items[i] = canon(x)
			b, _ := json.Marshal(items[i])
			keys[i] = string(b)
		}
		idx := make([]int, len(t))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(i, j int) bool { return keys[idx[i]] < keys[idx[j]] })
		out := make([]any, len(t))
		for i, j := range idx {
			out[i] = items[j]
		}
		return out
	}
	return v
}

// Actions lists every action a document allows (for audits and tests).
func Actions(doc string) []string {
	n, err := normalize(doc)
	if err != nil {
		return nil
	}
	m, _ := n.(map[string]any)
	var out []string
	var stmts []any
	switch s := m["Statement"].(type) {
	case []any:
		stmts = s
	case map[string]any:
		stmts = []any{s}
	}
	for _, s := range stmts {
		sm, _ := s.(map[string]any)
		if sm["Effect"] != "Allow" {
			continue
		}
		switch a := sm["Action"].(type) {
		case string:
			out = append(out, a)
		case []any:
			for _, x := range a {
				if xs, ok := x.(string); ok {
					out = append(out, xs)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
