package aws

import (
	"reflect"
	"sort"
)

// Scope is what an IAM action is granted on, so that the operator's policy
// can name the resources of one env instead of "*".
type Scope int

// Scopes of the operator's actions.
const (
	// ScopeNone needs no permission (sts:GetCallerIdentity).
	ScopeNone Scope = iota
	// ScopeAccount is an action IAM does not scope to a resource ("*").
	ScopeAccount
	ScopeBucket // the media bucket and its log bucket
	ScopeObject // objects in them
	ScopeUser   // the app's IAM user
	ScopeGroup  // its group
	// ScopeGroupPolicy attaches or detaches managed policies on the group:
	// only the wizard's policies (a condition on iam:PolicyARN).
	ScopeGroupPolicy
	ScopePolicy // the wizard's managed policy
	ScopeRole   // the instance role
	// ScopeRolePolicy attaches or detaches managed policies on the role:
	// only the Elastic Beanstalk web tier policy.
	ScopeRolePolicy
	ScopeInstanceProfile
	ScopeAlarm
	ScopeTopic // the alarms' SNS topic
	ScopeBudget
	ScopeEBEnvironment
)

// Permission is what one API operation needs from IAM.
type Permission struct {
	Actions []string
	Scope   Scope
}

// OperatorActions maps every operation of the per-service interfaces
// (api.go), named "service:Operation", to the IAM actions it needs. IAM
// action names differ from operation names for S3 (HeadBucket is
// s3:ListBucket, GetBucketEncryption is s3:GetEncryptionConfiguration …)
// and Budgets (budgets:ViewBudget, budgets:ModifyBudget). A test fails
// when an interface method has no entry or an entry no method.
var OperatorActions = map[string]Permission{
	"s3:CreateBucket":               {[]string{"s3:CreateBucket"}, ScopeBucket},
	"s3:DeleteBucket":               {[]string{"s3:DeleteBucket"}, ScopeBucket},
	"s3:HeadBucket":                 {[]string{"s3:ListBucket"}, ScopeBucket},
	"s3:GetBucketLocation":          {[]string{"s3:GetBucketLocation"}, ScopeBucket},
	"s3:GetBucketTagging":           {[]string{"s3:GetBucketTagging"}, ScopeBucket},
	"s3:PutBucketTagging":           {[]string{"s3:PutBucketTagging"}, ScopeBucket},
	"s3:GetBucketOwnershipControls": {[]string{"s3:GetBucketOwnershipControls"}, ScopeBucket},
	"s3:PutBucketOwnershipControls": {[]string{"s3:PutBucketOwnershipControls"}, ScopeBucket},
	"s3:GetPublicAccessBlock":       {[]string{"s3:GetBucketPublicAccessBlock"}, ScopeBucket},
	"s3:PutPublicAccessBlock":       {[]string{"s3:PutBucketPublicAccessBlock"}, ScopeBucket},
	"s3:DeletePublicAccessBlock":    {[]string{"s3:PutBucketPublicAccessBlock"}, ScopeBucket},
	"s3:GetBucketPolicy":            {[]string{"s3:GetBucketPolicy"}, ScopeBucket},
	"s3:PutBucketPolicy":            {[]string{"s3:PutBucketPolicy"}, ScopeBucket},
	"s3:DeleteBucketPolicy":         {[]string{"s3:DeleteBucketPolicy"}, ScopeBucket},
	// CORS: the S3 API reference's permissions sections (GetBucketCors needs
	// s3:GetBucketCORS; PutBucketCors and DeleteBucketCors both need
	// s3:PutBucketCORS, there is no s3:DeleteBucketCORS action).
	"s3:GetBucketCors":                    {[]string{"s3:GetBucketCORS"}, ScopeBucket},
	"s3:PutBucketCors":                    {[]string{"s3:PutBucketCORS"}, ScopeBucket},
	"s3:DeleteBucketCors":                 {[]string{"s3:PutBucketCORS"}, ScopeBucket},
	"s3:GetBucketEncryption":              {[]string{"s3:GetEncryptionConfiguration"}, ScopeBucket},
	"s3:PutBucketEncryption":              {[]string{"s3:PutEncryptionConfiguration"}, ScopeBucket},
	"s3:GetBucketVersioning":              {[]string{"s3:GetBucketVersioning"}, ScopeBucket},
	"s3:PutBucketVersioning":              {[]string{"s3:PutBucketVersioning"}, ScopeBucket},
	"s3:GetBucketLifecycleConfiguration":  {[]string{"s3:GetLifecycleConfiguration"}, ScopeBucket},
	"s3:PutBucketLifecycleConfiguration":  {[]string{"s3:PutLifecycleConfiguration"}, ScopeBucket},
	"s3:DeleteBucketLifecycle":            {[]string{"s3:PutLifecycleConfiguration"}, ScopeBucket},
	"s3:GetBucketLogging":                 {[]string{"s3:GetBucketLogging"}, ScopeBucket},
	"s3:PutBucketLogging":                 {[]string{"s3:PutBucketLogging"}, ScopeBucket},
	"s3:GetBucketMetricsConfiguration":    {[]string{"s3:GetMetricsConfiguration"}, ScopeBucket},
	"s3:PutBucketMetricsConfiguration":    {[]string{"s3:PutMetricsConfiguration"}, ScopeBucket},
	"s3:DeleteBucketMetricsConfiguration": {[]string{"s3:PutMetricsConfiguration"}, ScopeBucket},
	"s3:ListObjectsV2":                    {[]string{"s3:ListBucket"}, ScopeBucket},
	"s3:ListObjectVersions":               {[]string{"s3:ListBucketVersions"}, ScopeBucket},
	"s3:ListMultipartUploads":             {[]string{"s3:ListBucketMultipartUploads"}, ScopeBucket},
	"s3:PutObject":                        {[]string{"s3:PutObject"}, ScopeObject},
	"s3:GetObject":                        {[]string{"s3:GetObject", "s3:GetObjectVersion"}, ScopeObject},
	"s3:HeadObject":                       {[]string{"s3:GetObject", "s3:GetObjectVersion"}, ScopeObject},
	"s3:DeleteObject":                     {[]string{"s3:DeleteObject", "s3:DeleteObjectVersion"}, ScopeObject},
	"s3:DeleteObjects":                    {[]string{"s3:DeleteObject", "s3:DeleteObjectVersion"}, ScopeObject},

	"s3control:GetPublicAccessBlock": {[]string{"s3:GetAccountPublicAccessBlock"}, ScopeAccount},

	"iam:GetUser":                       {[]string{"iam:GetUser"}, ScopeUser},
	"iam:CreateUser":                    {[]string{"iam:CreateUser", "iam:TagUser"}, ScopeUser},
	"iam:DeleteUser":                    {[]string{"iam:DeleteUser"}, ScopeUser},
	"iam:GetLoginProfile":               {[]string{"iam:GetLoginProfile"}, ScopeUser},
	"iam:ListGroupsForUser":             {[]string{"iam:ListGroupsForUser"}, ScopeUser},
	"iam:ListAccessKeys":                {[]string{"iam:ListAccessKeys"}, ScopeUser},
	"iam:CreateAccessKey":               {[]string{"iam:CreateAccessKey"}, ScopeUser},
	"iam:UpdateAccessKey":               {[]string{"iam:UpdateAccessKey"}, ScopeUser},
	"iam:DeleteAccessKey":               {[]string{"iam:DeleteAccessKey"}, ScopeUser},
	"iam:ListAttachedUserPolicies":      {[]string{"iam:ListAttachedUserPolicies"}, ScopeUser},
	"iam:GetGroup":                      {[]string{"iam:GetGroup"}, ScopeGroup},
	"iam:CreateGroup":                   {[]string{"iam:CreateGroup"}, ScopeGroup},
	"iam:DeleteGroup":                   {[]string{"iam:DeleteGroup"}, ScopeGroup},
	"iam:AddUserToGroup":                {[]string{"iam:AddUserToGroup"}, ScopeGroup},
	"iam:RemoveUserFromGroup":           {[]string{"iam:RemoveUserFromGroup"}, ScopeGroup},
	"iam:ListAttachedGroupPolicies":     {[]string{"iam:ListAttachedGroupPolicies"}, ScopeGroup},
	"iam:AttachGroupPolicy":             {[]string{"iam:AttachGroupPolicy"}, ScopeGroupPolicy},
	"iam:DetachGroupPolicy":             {[]string{"iam:DetachGroupPolicy"}, ScopeGroupPolicy},
	"iam:GetPolicy":                     {[]string{"iam:GetPolicy"}, ScopePolicy},
	"iam:CreatePolicy":                  {[]string{"iam:CreatePolicy", "iam:TagPolicy"}, ScopePolicy},
	"iam:DeletePolicy":                  {[]string{"iam:DeletePolicy"}, ScopePolicy},
	"iam:GetPolicyVersion":              {[]string{"iam:GetPolicyVersion"}, ScopePolicy},
	"iam:CreatePolicyVersion":           {[]string{"iam:CreatePolicyVersion"}, ScopePolicy},
	"iam:DeletePolicyVersion":           {[]string{"iam:DeletePolicyVersion"}, ScopePolicy},
	"iam:ListPolicyVersions":            {[]string{"iam:ListPolicyVersions"}, ScopePolicy},
	"iam:GetRole":                       {[]string{"iam:GetRole"}, ScopeRole},
	"iam:CreateRole":                    {[]string{"iam:CreateRole", "iam:TagRole"}, ScopeRole},
	"iam:DeleteRole":                    {[]string{"iam:DeleteRole"}, ScopeRole},
	"iam:ListAttachedRolePolicies":      {[]string{"iam:ListAttachedRolePolicies"}, ScopeRole},
	"iam:GetRolePolicy":                 {[]string{"iam:GetRolePolicy"}, ScopeRole},
	"iam:PutRolePolicy":                 {[]string{"iam:PutRolePolicy"}, ScopeRole},
	"iam:DeleteRolePolicy":              {[]string{"iam:DeleteRolePolicy"}, ScopeRole},
	"iam:AttachRolePolicy":              {[]string{"iam:AttachRolePolicy"}, ScopeRolePolicy},
	"iam:DetachRolePolicy":              {[]string{"iam:DetachRolePolicy"}, ScopeRolePolicy},
	"iam:GetInstanceProfile":            {[]string{"iam:GetInstanceProfile"}, ScopeInstanceProfile},
	"iam:CreateInstanceProfile":         {[]string{"iam:CreateInstanceProfile", "iam:TagInstanceProfile"}, ScopeInstanceProfile},
	"iam:DeleteInstanceProfile":         {[]string{"iam:DeleteInstanceProfile"}, ScopeInstanceProfile},
	"iam:AddRoleToInstanceProfile":      {[]string{"iam:AddRoleToInstanceProfile"}, ScopeInstanceProfile},
	"iam:RemoveRoleFromInstanceProfile": {[]string{"iam:RemoveRoleFromInstanceProfile"}, ScopeInstanceProfile},

	"sts:GetCallerIdentity": {nil, ScopeNone},

	"cloudwatch:DescribeAlarms": {[]string{"cloudwatch:DescribeAlarms"}, ScopeAlarm},
	"cloudwatch:PutMetricAlarm": {[]string{"cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"}, ScopeAlarm},
	"cloudwatch:DeleteAlarms":   {[]string{"cloudwatch:DeleteAlarms"}, ScopeAlarm},

	"sns:CreateTopic":              {[]string{"sns:CreateTopic", "sns:TagResource"}, ScopeTopic},
	"sns:DeleteTopic":              {[]string{"sns:DeleteTopic"}, ScopeTopic},
	"sns:GetTopicAttributes":       {[]string{"sns:GetTopicAttributes"}, ScopeTopic},
	"sns:Subscribe":                {[]string{"sns:Subscribe"}, ScopeTopic},
	"sns:ListSubscriptionsByTopic": {[]string{"sns:ListSubscriptionsByTopic"}, ScopeTopic},

	"budgets:DescribeBudget":                     {[]string{"budgets:ViewBudget"}, ScopeBudget},
	"budgets:DescribeNotificationsForBudget":     {[]string{"budgets:ViewBudget"}, ScopeBudget},
	"budgets:DescribeSubscribersForNotification": {[]string{"budgets:ViewBudget"}, ScopeBudget},
	"budgets:CreateBudget":                       {[]string{"budgets:ModifyBudget"}, ScopeBudget},
	"budgets:UpdateBudget":                       {[]string{"budgets:ModifyBudget"}, ScopeBudget},
	"budgets:DeleteBudget":                       {[]string{"budgets:ModifyBudget"}, ScopeBudget},
	"budgets:CreateNotification":                 {[]string{"budgets:ModifyBudget"}, ScopeBudget},
	"budgets:DeleteNotification":                 {[]string{"budgets:ModifyBudget"}, ScopeBudget},

	"access-analyzer:ValidatePolicy": {[]string{"access-analyzer:ValidatePolicy"}, ScopeAccount},

	// Associating the instance profile also passes the role to EC2.
	"elasticbeanstalk:UpdateEnvironment":             {[]string{"elasticbeanstalk:UpdateEnvironment"}, ScopeEBEnvironment},
	"elasticbeanstalk:DescribeEnvironments":          {[]string{"elasticbeanstalk:DescribeEnvironments"}, ScopeEBEnvironment},
	"elasticbeanstalk:DescribeConfigurationSettings": {[]string{"elasticbeanstalk:DescribeConfigurationSettings"}, ScopeEBEnvironment},
}

// ServicePrefixes name the services of Clients' interface fields, as the
// keys of OperatorActions start. A test fails when a field has none.
var ServicePrefixes = map[string]string{
	"S3": "s3", "S3Control": "s3control", "IAM": "iam", "STS": "sts", "CloudWatch": "cloudwatch",
	"SNS": "sns", "Budgets": "budgets", "AccessAnalyzer": "access-analyzer", "EB": "elasticbeanstalk",
}

// apiInterfaces are Clients' interface fields (api.go), by service prefix:
// every client the steps can reach.
func apiInterfaces() map[string]reflect.Type {
	out := map[string]reflect.Type{}
	t := reflect.TypeFor[Clients]()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Type.Kind() != reflect.Interface {
			continue
		}
		prefix := ServicePrefixes[f.Name]
		if prefix == "" {
			prefix = "?" + f.Name // OperatorActions has no such key: the test names it
		}
		out[prefix] = f.Type
	}
	return out
}

// Operations lists every operation the wizard can call, as
// "service:Operation", from the per-service interfaces, sorted.
func Operations() []string {
	var ops []string
	for svc, t := range apiInterfaces() {
		for i := range t.NumMethod() {
			ops = append(ops, svc+":"+t.Method(i).Name)
		}
	}
	sort.Strings(ops)
	return ops
}
