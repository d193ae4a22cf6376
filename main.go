// Command s3wizard sets up AWS S3 for a Django project, step by step, live:
// bucket, layout, IAM, access keys, public/private access, env files,
// protection and monitoring. See README.md.
package main

import (
	"os"

	"github.com/s3wizard/s3wizard/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
