// Command s3wizard sets up AWS S3 for a Django project, step by step, live:
// bucket, layout, IAM, access keys, public/private access, env files,
// protection and monitoring. See README.md.
package main

import (
	"context"
	"os"

	"github.com/s3wizard/s3wizard/app"
	"github.com/s3wizard/s3wizard/cli"
	"github.com/s3wizard/s3wizard/tui"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, cli.Deps{Interactive: interactive}))
}

// interactive runs the TUI wizard for the bare command.
func interactive(ctx context.Context, o app.Options, accessible, noColor bool, s cli.IO) error {
	return tui.Run(ctx, tui.Options{App: o, Accessible: accessible, NoColor: noColor, In: s.In, Out: s.Err})
}
