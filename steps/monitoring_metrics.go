package steps

import (
	"context"
	"fmt"

	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/s3wizard/s3wizard/aws"
)

const (
	// requestMetricsID is the bucket's request-metrics configuration.
	requestMetricsID = "EntireBucket"
)

func planRequestMetrics(ctx context.Context, r *Run, p *Plan) error {
	a := r.Answers
	cl := r.AWS.S3In(a.Region)
	out, err := cl.GetBucketMetricsConfiguration(ctx, &s3.GetBucketMetricsConfigurationInput{Bucket: &a.Bucket, Id: sdk.String(requestMetricsID)})
	if err != nil && !aws.IsNotFound(err) {
		return fmt.Errorf("read request metrics of %s: %w", a.Bucket, err)
	}
	// An emulator may answer 200 with an empty configuration: only one
	// carrying our ID counts as present.
	exists := err == nil && out.MetricsConfiguration != nil && sdk.ToString(out.MetricsConfiguration.Id) == requestMetricsID
	whole := exists && out.MetricsConfiguration.Filter == nil
	bucket := a.Bucket
	if !a.Alarms.RequestMetrics {
		if exists {
			p.Notice("alarms.request_metrics: false: the request-metrics configuration %s is removed (request metrics are billed per metric per month)", requestMetricsID)
			p.Add(&Action{Summary: "remove request metrics " + requestMetricsID + " of " + bucket, Calls: []string{"s3:DeleteBucketMetricsConfiguration"},
				Do: func(ctx context.Context) error {
					_, err := cl.DeleteBucketMetricsConfiguration(ctx, &s3.DeleteBucketMetricsConfigurationInput{Bucket: &bucket, Id: sdk.String(requestMetricsID)})
					if aws.IsNotFound(err) {
						return nil
					}
					return err
				}})
		}
		return nil
	}
	p.Notice("request metrics (AllRequests, 4xxErrors, latency…, 1-minute) are billed: CloudWatch custom-metric pricing, billed per metric per month (about $0.30 per metric per month at the first tier), for as long as the configuration exists")
	if whole {
		return nil
	}
	p.Add(&Action{Summary: "request metrics " + requestMetricsID + " on the whole of " + bucket + " (billed)", Calls: []string{"s3:PutBucketMetricsConfiguration"},
		Do: func(ctx context.Context) error {
			_, err := cl.PutBucketMetricsConfiguration(ctx, &s3.PutBucketMetricsConfigurationInput{Bucket: &bucket, Id: sdk.String(requestMetricsID),
				MetricsConfiguration: &types.MetricsConfiguration{Id: sdk.String(requestMetricsID)}})
			return err
		}})
	return nil
}
