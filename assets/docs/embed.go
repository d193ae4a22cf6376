// Package docassets holds the Markdown template of the hand-off document
// (S3-HANDOFF-<env>.md) that the docs package renders.
package docassets

import "embed"

// FS holds handoff.md.tmpl.
//
//go:embed *.tmpl
var FS embed.FS
