package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Sids of the bucket-policy statements the wizard writes. They carry the
// S3Wizard prefix: a bucket policy is one document, and on an adopted bucket
// it also holds statements of others (a partner's grant, CloudFront's origin
// access, the owner's own DenyInsecureTransport), which the wizard keeps as
// they are. The wizard's own statements are recognised by Sid alone.
const (
	SidPublicRead   = "S3WizardPublicRead"
	SidDenyInsecure = "S3WizardDenyInsecureTransport"
	SidLogDelivery  = "S3WizardServerAccessLogs"
	// SidCloudFrontRead is the statement for the wizard's CloudFront
	// distribution (origin access control).
	SidCloudFrontRead = "S3WizardCloudFrontRead"
)

// WizardSids are the Sids of every bucket-policy statement the wizard
// writes (a statement it writes must have a Sid listed here; a Sid dropped
// from the wanted document stays listed so that an older run's statement
// is still removed).
var WizardSids = []string{SidPublicRead, SidDenyInsecure, SidLogDelivery, SidCloudFrontRead}

// LegacySids are the Sids earlier wizards wrote, without the prefix. They
// are as likely an owner's own (DenyInsecureTransport is AWS's example):
// they count as the wizard's only on a bucket the wizard made (MergeBySid's
// legacy), and are otherwise kept and reported (Merged.Legacy).
var LegacySids = []string{"PublicReadOfPublicPrefixes", "DenyInsecureTransport", "S3ServerAccessLogsPolicy"}

// Merged is a bucket policy with the wizard's statements merged in by Sid.
type Merged struct {
	// JSON is the document to put; "" when it would have no statement (the
	// bucket should then have no policy).
	JSON string
	// Foreign are the Sids ("" for a statement without one) of the live
	// statements that are not the wizard's: kept verbatim.
	Foreign []string
	// Legacy are the Foreign Sids that earlier wizards also wrote: maybe
	// the wizard's, maybe the owner's; kept.
	Legacy []string
}

// MergeBySid replaces, in the live bucket policy, the wizard's statements
// (WizardSids, and the Sids of want) with want's, and keeps every other
// statement byte for byte (fields the wizard does not model, such as
// NotPrincipal, included). live "" is no policy; want nil removes the
// wizard's statements only. legacy (the bucket is the wizard's by record)
// counts LegacySids as the wizard's too.
func MergeBySid(live string, want *Document, legacy bool) (Merged, error) {
	ours := slices.Clone(WizardSids)
	if legacy {
		ours = append(ours, LegacySids...)
	}
	var add []json.RawMessage
	if want != nil {
		for _, s := range want.Statement {
			ours = append(ours, s.Sid)
			b, err := json.Marshal(s)
			if err != nil {
				return Merged{}, err
			}
			add = append(add, b)
		}
	}
	doc, kept, m, err := keepForeign(live, ours)
	if err != nil {
		return Merged{}, err
	}
	all := append(kept, add...)
	if len(all) == 0 {
		return m, nil
	}
	// Always the current grammar version: statements written for the old
	// 2008-10-17 one mean the same in it (AWS's own upgrade advice).
	out := map[string]any{"Version": "2012-10-17", "Statement": all}
	if id, ok := doc["Id"]; ok {
		out["Id"] = id
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return Merged{}, err
	}
	m.JSON = string(b)
	return m, nil
}

// keepForeign parses the live policy (doc; "" is none) and keeps, byte
// for byte, its statements whose Sid is not among ours; m names them
// (Foreign, and Legacy for those with an earlier version's Sid).
func keepForeign(live string, ours []string) (doc map[string]json.RawMessage, kept []json.RawMessage, m Merged, err error) {
	doc = map[string]json.RawMessage{}
	if strings.TrimSpace(live) == "" {
		return doc, nil, m, nil
	}
	if err := json.Unmarshal([]byte(live), &doc); err != nil {
		return nil, nil, Merged{}, fmt.Errorf("the live bucket policy is not a JSON object: %w", err)
	}
	stmts, err := statements(doc["Statement"])
	if err != nil {
		return nil, nil, Merged{}, err
	}
	for _, raw := range stmts {
		var s struct {
			Sid string `json:"Sid"`
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, nil, Merged{}, fmt.Errorf("a statement of the live bucket policy is not a JSON object: %w", err)
		}
		if s.Sid != "" && slices.Contains(ours, s.Sid) {
			continue
		}
		kept = append(kept, raw)
		m.Foreign = append(m.Foreign, s.Sid)
		if slices.Contains(LegacySids, s.Sid) {
			m.Legacy = append(m.Legacy, s.Sid)
		}
	}
	return doc, kept, m, nil
}

// statements reads a policy's Statement: a list, or a lone statement.
func statements(raw json.RawMessage) ([]json.RawMessage, error) {
	t := strings.TrimSpace(string(raw))
	switch {
	case t == "" || t == "null":
		return nil, nil
	case strings.HasPrefix(t, "["):
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("the live bucket policy's Statement is not a list: %w", err)
		}
		return list, nil
	}
	return []json.RawMessage{raw}, nil
}

// DescribeSids lists Sids for a message ("(no Sid)" for a statement without).
func DescribeSids(sids []string) string {
	var out []string
	for _, s := range sids {
		if s == "" {
			s = "(no Sid)"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}
