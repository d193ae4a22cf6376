// Package bench times `s3wizard apply` against the same setup made with the
// AWS CLI one call at a time, both against a real moto_server. The benchmark
// lives in bench_test.go; run it with
//
//	go test -run '^$' -bench . -benchtime 1x ./bench
//
// See README.md in this directory.
package bench
