package aws

import (
	"reflect"
	"sort"
	"strings"
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
	// ScopeRolePolicy detaches managed policies from the role: only the
	// Elastic Beanstalk web tier policy (destroy removes it).
	ScopeRolePolicy
	// ScopeRolePolicyAttach attaches the Elastic Beanstalk web tier policy
	// to the role: only with an Elastic Beanstalk environment.
	ScopeRolePolicyAttach
	// ScopePassRole passes the instance role to EC2 (iam:PassRole, with
	// iam:PassedToService ec2.amazonaws.com).
	ScopePassRole
	ScopeInstanceProfile
	ScopeAlarm
	ScopeTopic // the alarms' SNS topic
	ScopeBudget
	ScopeEBEnvironment
	// ScopeDistribution is the wizard's CloudFront distributions (their IDs
	// are CloudFront's, known only once made: distribution/* of the account).
	ScopeDistribution
	// ScopeOriginAccessControl is the distributions' origin access controls.
	ScopeOriginAccessControl
)

// Permission is what one API operation needs from IAM.
type Permission struct {
	Actions []string
	Scope   Scope
	// Also are the permissions the operation needs beyond its own actions
	// on other resources (AddRoleToInstanceProfile passes the role).
	Also []Need
	// Doc is the AWS page that says what the operation needs beyond its
	// own action; "" for one that needs its own action only (ServiceDocs
	// then has the reference).
	Doc string
}

// Need is one permission beyond an operation's own actions.
type Need struct {
	Action string
	Scope  Scope
}

// ServiceDocs are the Service Authorization Reference pages that list each
// service's IAM actions, resource types and condition keys: the reference of
// every row of OperatorActions without its own Doc.
var ServiceDocs = map[string]string{
	"s3":               "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html",
	"s3control":        "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html",
	"iam":              "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html",
	"sts":              "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html",
	"cloudwatch":       "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html",
	"sns":              "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html",
	"budgets":          "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsbudgetservice.html",
	"access-analyzer":  "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsiamaccessanalyzer.html",
	"elasticbeanstalk": "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticbeanstalk.html",
	"cloudfront":       "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfront.html",
}

// Reference is the AWS page for op's row.
func (p Permission) Reference(op string) string {
	if p.Doc != "" {
		return p.Doc
	}
	svc, _, _ := strings.Cut(op, ":")
	return ServiceDocs[svc]
}

// Tag-on-create: an operation that sends tags also needs the service's tag
// action on the resource it creates.
const docIAMTagOnCreate = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html#access_iam-tags_create"

// EBManagedPolicy is what Elastic Beanstalk's UpdateEnvironment needs beyond
// elasticbeanstalk:UpdateEnvironment and iam:PassRole: the environment's
// change is carried out with the caller's permissions on the resources
// behind it (CloudFormation stack, Auto Scaling group and launch template,
// EC2, load balancer, the elasticbeanstalk-* S3 bucket), which AWS lists
// only as this managed policy
// (https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/iam-userpolicy.html#iam-userpolicy-managed).
const EBManagedPolicy = "arn:aws:iam::aws:policy/AdministratorAccess-AWSElasticBeanstalk"

// OperatorActions maps every operation of the per-service interfaces
// (api.go), named "service:Operation", to the IAM actions it needs. IAM
// action names differ from operation names for S3 (HeadBucket is
// s3:ListBucket, GetBucketEncryption is s3:GetEncryptionConfiguration …)
// and Budgets (budgets:ViewBudget, budgets:ModifyBudget). A test fails
// when an interface method has no entry or an entry no method.
var OperatorActions = map[string]Permission{
	"s3:CreateBucket":               {Actions: []string{"s3:CreateBucket"}, Scope: ScopeBucket},
	"s3:DeleteBucket":               {Actions: []string{"s3:DeleteBucket"}, Scope: ScopeBucket},
	"s3:HeadBucket":                 {Actions: []string{"s3:ListBucket"}, Scope: ScopeBucket},
	"s3:GetBucketLocation":          {Actions: []string{"s3:GetBucketLocation"}, Scope: ScopeBucket},
	"s3:GetBucketTagging":           {Actions: []string{"s3:GetBucketTagging"}, Scope: ScopeBucket},
	"s3:PutBucketTagging":           {Actions: []string{"s3:PutBucketTagging"}, Scope: ScopeBucket},
	"s3:DeleteBucketTagging":        {Actions: []string{"s3:PutBucketTagging"}, Scope: ScopeBucket},
	"s3:GetBucketOwnershipControls": {Actions: []string{"s3:GetBucketOwnershipControls"}, Scope: ScopeBucket},
	"s3:PutBucketOwnershipControls": {Actions: []string{"s3:PutBucketOwnershipControls"}, Scope: ScopeBucket},
	"s3:GetPublicAccessBlock":       {Actions: []string{"s3:GetBucketPublicAccessBlock"}, Scope: ScopeBucket},
	"s3:PutPublicAccessBlock":       {Actions: []string{"s3:PutBucketPublicAccessBlock"}, Scope: ScopeBucket},
	"s3:DeletePublicAccessBlock":    {Actions: []string{"s3:PutBucketPublicAccessBlock"}, Scope: ScopeBucket},
	"s3:GetBucketPolicy":            {Actions: []string{"s3:GetBucketPolicy"}, Scope: ScopeBucket},
	"s3:PutBucketPolicy":            {Actions: []string{"s3:PutBucketPolicy"}, Scope: ScopeBucket},
	"s3:DeleteBucketPolicy":         {Actions: []string{"s3:DeleteBucketPolicy"}, Scope: ScopeBucket},
	// CORS: the S3 API reference's permissions sections (GetBucketCors needs
	// s3:GetBucketCORS; PutBucketCors and DeleteBucketCors both need
	// s3:PutBucketCORS, there is no s3:DeleteBucketCORS action).
	"s3:GetBucketCors":                    {Actions: []string{"s3:GetBucketCORS"}, Scope: ScopeBucket, Doc: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketCors.html"},
	"s3:PutBucketCors":                    {Actions: []string{"s3:PutBucketCORS"}, Scope: ScopeBucket, Doc: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html"},
	"s3:DeleteBucketCors":                 {Actions: []string{"s3:PutBucketCORS"}, Scope: ScopeBucket, Doc: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketCors.html"},
	"s3:GetBucketEncryption":              {Actions: []string{"s3:GetEncryptionConfiguration"}, Scope: ScopeBucket},
	"s3:PutBucketEncryption":              {Actions: []string{"s3:PutEncryptionConfiguration"}, Scope: ScopeBucket},
	"s3:GetBucketVersioning":              {Actions: []string{"s3:GetBucketVersioning"}, Scope: ScopeBucket},
	"s3:PutBucketVersioning":              {Actions: []string{"s3:PutBucketVersioning"}, Scope: ScopeBucket},
	"s3:GetBucketLifecycleConfiguration":  {Actions: []string{"s3:GetLifecycleConfiguration"}, Scope: ScopeBucket},
	"s3:PutBucketLifecycleConfiguration":  {Actions: []string{"s3:PutLifecycleConfiguration"}, Scope: ScopeBucket},
	"s3:DeleteBucketLifecycle":            {Actions: []string{"s3:PutLifecycleConfiguration"}, Scope: ScopeBucket},
	"s3:GetBucketLogging":                 {Actions: []string{"s3:GetBucketLogging"}, Scope: ScopeBucket},
	"s3:PutBucketLogging":                 {Actions: []string{"s3:PutBucketLogging"}, Scope: ScopeBucket},
	"s3:GetBucketMetricsConfiguration":    {Actions: []string{"s3:GetMetricsConfiguration"}, Scope: ScopeBucket},
	"s3:PutBucketMetricsConfiguration":    {Actions: []string{"s3:PutMetricsConfiguration"}, Scope: ScopeBucket},
	"s3:DeleteBucketMetricsConfiguration": {Actions: []string{"s3:PutMetricsConfiguration"}, Scope: ScopeBucket},
	"s3:ListObjectsV2":                    {Actions: []string{"s3:ListBucket"}, Scope: ScopeBucket},
	"s3:ListObjectVersions":               {Actions: []string{"s3:ListBucketVersions"}, Scope: ScopeBucket},
	"s3:ListMultipartUploads":             {Actions: []string{"s3:ListBucketMultipartUploads"}, Scope: ScopeBucket},
	"s3:PutObject":                        {Actions: []string{"s3:PutObject"}, Scope: ScopeObject},
	"s3:GetObject":                        {Actions: []string{"s3:GetObject", "s3:GetObjectVersion"}, Scope: ScopeObject},
	"s3:HeadObject":                       {Actions: []string{"s3:GetObject", "s3:GetObjectVersion"}, Scope: ScopeObject},
	"s3:DeleteObject":                     {Actions: []string{"s3:DeleteObject", "s3:DeleteObjectVersion"}, Scope: ScopeObject},
	"s3:DeleteObjects":                    {Actions: []string{"s3:DeleteObject", "s3:DeleteObjectVersion"}, Scope: ScopeObject},

	"s3control:GetPublicAccessBlock": {Actions: []string{"s3:GetAccountPublicAccessBlock"}, Scope: ScopeAccount},

	"iam:GetUser":                   {Actions: []string{"iam:GetUser"}, Scope: ScopeUser},
	"iam:CreateUser":                {Actions: []string{"iam:CreateUser", "iam:TagUser"}, Scope: ScopeUser, Doc: docIAMTagOnCreate},
	"iam:DeleteUser":                {Actions: []string{"iam:DeleteUser"}, Scope: ScopeUser},
	"iam:GetLoginProfile":           {Actions: []string{"iam:GetLoginProfile"}, Scope: ScopeUser},
	"iam:ListGroupsForUser":         {Actions: []string{"iam:ListGroupsForUser"}, Scope: ScopeUser},
	"iam:ListAccessKeys":            {Actions: []string{"iam:ListAccessKeys"}, Scope: ScopeUser},
	"iam:CreateAccessKey":           {Actions: []string{"iam:CreateAccessKey"}, Scope: ScopeUser},
	"iam:UpdateAccessKey":           {Actions: []string{"iam:UpdateAccessKey"}, Scope: ScopeUser},
	"iam:DeleteAccessKey":           {Actions: []string{"iam:DeleteAccessKey"}, Scope: ScopeUser},
	"iam:ListAttachedUserPolicies":  {Actions: []string{"iam:ListAttachedUserPolicies"}, Scope: ScopeUser},
	"iam:GetGroup":                  {Actions: []string{"iam:GetGroup"}, Scope: ScopeGroup},
	"iam:CreateGroup":               {Actions: []string{"iam:CreateGroup"}, Scope: ScopeGroup},
	"iam:DeleteGroup":               {Actions: []string{"iam:DeleteGroup"}, Scope: ScopeGroup},
	"iam:AddUserToGroup":            {Actions: []string{"iam:AddUserToGroup"}, Scope: ScopeGroup},
	"iam:RemoveUserFromGroup":       {Actions: []string{"iam:RemoveUserFromGroup"}, Scope: ScopeGroup},
	"iam:ListAttachedGroupPolicies": {Actions: []string{"iam:ListAttachedGroupPolicies"}, Scope: ScopeGroup},
	"iam:AttachGroupPolicy":         {Actions: []string{"iam:AttachGroupPolicy"}, Scope: ScopeGroupPolicy},
	"iam:DetachGroupPolicy":         {Actions: []string{"iam:DetachGroupPolicy"}, Scope: ScopeGroupPolicy},
	"iam:GetPolicy":                 {Actions: []string{"iam:GetPolicy"}, Scope: ScopePolicy},
	"iam:CreatePolicy":              {Actions: []string{"iam:CreatePolicy", "iam:TagPolicy"}, Scope: ScopePolicy, Doc: docIAMTagOnCreate},
	"iam:DeletePolicy":              {Actions: []string{"iam:DeletePolicy"}, Scope: ScopePolicy},
	"iam:GetPolicyVersion":          {Actions: []string{"iam:GetPolicyVersion"}, Scope: ScopePolicy},
	"iam:CreatePolicyVersion":       {Actions: []string{"iam:CreatePolicyVersion"}, Scope: ScopePolicy},
	"iam:DeletePolicyVersion":       {Actions: []string{"iam:DeletePolicyVersion"}, Scope: ScopePolicy},
	"iam:ListPolicyVersions":        {Actions: []string{"iam:ListPolicyVersions"}, Scope: ScopePolicy},
	"iam:GetRole":                   {Actions: []string{"iam:GetRole"}, Scope: ScopeRole},
	"iam:CreateRole":                {Actions: []string{"iam:CreateRole", "iam:TagRole"}, Scope: ScopeRole, Doc: docIAMTagOnCreate},
	"iam:DeleteRole":                {Actions: []string{"iam:DeleteRole"}, Scope: ScopeRole},
	"iam:ListAttachedRolePolicies":  {Actions: []string{"iam:ListAttachedRolePolicies"}, Scope: ScopeRole},
	"iam:GetRolePolicy":             {Actions: []string{"iam:GetRolePolicy"}, Scope: ScopeRole},
	"iam:PutRolePolicy":             {Actions: []string{"iam:PutRolePolicy"}, Scope: ScopeRole},
	"iam:DeleteRolePolicy":          {Actions: []string{"iam:DeleteRolePolicy"}, Scope: ScopeRole},
	"iam:AttachRolePolicy":          {Actions: []string{"iam:AttachRolePolicy"}, Scope: ScopeRolePolicyAttach},
	"iam:DetachRolePolicy":          {Actions: []string{"iam:DetachRolePolicy"}, Scope: ScopeRolePolicy},
	"iam:GetInstanceProfile":        {Actions: []string{"iam:GetInstanceProfile"}, Scope: ScopeInstanceProfile},
	"iam:CreateInstanceProfile":     {Actions: []string{"iam:CreateInstanceProfile", "iam:TagInstanceProfile"}, Scope: ScopeInstanceProfile, Doc: docIAMTagOnCreate},
	"iam:DeleteInstanceProfile":     {Actions: []string{"iam:DeleteInstanceProfile"}, Scope: ScopeInstanceProfile},
	// "The caller of this operation must be granted the PassRole
	// permission on the IAM role".
	"iam:AddRoleToInstanceProfile": {Actions: []string{"iam:AddRoleToInstanceProfile"}, Scope: ScopeInstanceProfile,
		Also: []Need{{"iam:PassRole", ScopePassRole}}, Doc: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html"},
	"iam:RemoveRoleFromInstanceProfile": {Actions: []string{"iam:RemoveRoleFromInstanceProfile"}, Scope: ScopeInstanceProfile},

	"sts:GetCallerIdentity": {Actions: nil, Scope: ScopeNone},

	"cloudwatch:DescribeAlarms": {Actions: []string{"cloudwatch:DescribeAlarms"}, Scope: ScopeAlarm},
	"cloudwatch:PutMetricAlarm": {Actions: []string{"cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"}, Scope: ScopeAlarm, Doc: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"},
	"cloudwatch:DeleteAlarms":   {Actions: []string{"cloudwatch:DeleteAlarms"}, Scope: ScopeAlarm},
	// The monitoring plan (an alarm without a record), adopt and destroy (an
	// env set up before alarms were recorded) read an alarm's tags to tell
	// the wizard's from another's.
	"cloudwatch:ListTagsForResource": {Actions: []string{"cloudwatch:ListTagsForResource"}, Scope: ScopeAlarm},

	"sns:CreateTopic":              {Actions: []string{"sns:CreateTopic", "sns:TagResource"}, Scope: ScopeTopic, Doc: "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html"},
	"sns:DeleteTopic":              {Actions: []string{"sns:DeleteTopic"}, Scope: ScopeTopic},
	"sns:GetTopicAttributes":       {Actions: []string{"sns:GetTopicAttributes"}, Scope: ScopeTopic},
	"sns:Subscribe":                {Actions: []string{"sns:Subscribe"}, Scope: ScopeTopic},
	"sns:ListSubscriptionsByTopic": {Actions: []string{"sns:ListSubscriptionsByTopic"}, Scope: ScopeTopic},
	"sns:ListTagsForResource":      {Actions: []string{"sns:ListTagsForResource"}, Scope: ScopeTopic},

	"budgets:DescribeBudget":                     {Actions: []string{"budgets:ViewBudget"}, Scope: ScopeBudget},
	"budgets:DescribeNotificationsForBudget":     {Actions: []string{"budgets:ViewBudget"}, Scope: ScopeBudget},
	"budgets:DescribeSubscribersForNotification": {Actions: []string{"budgets:ViewBudget"}, Scope: ScopeBudget},
	"budgets:UpdateBudget":                       {Actions: []string{"budgets:ModifyBudget"}, Scope: ScopeBudget},
	"budgets:DeleteBudget":                       {Actions: []string{"budgets:ModifyBudget"}, Scope: ScopeBudget},
	"budgets:CreateNotification":                 {Actions: []string{"budgets:ModifyBudget"}, Scope: ScopeBudget},
	"budgets:DeleteNotification":                 {Actions: []string{"budgets:ModifyBudget"}, Scope: ScopeBudget},
	// The Service Authorization Reference's table of Budgets API operations:
	// CreateBudget needs budgets:TagResource besides ModifyBudget (its
	// ResourceTags: the owner tags).
	"budgets:CreateBudget": {Actions: []string{"budgets:ModifyBudget", "budgets:TagResource"}, Scope: ScopeBudget,
		Doc: "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsbudgetservice.html"},

	"access-analyzer:ValidatePolicy": {Actions: []string{"access-analyzer:ValidatePolicy"}, Scope: ScopeAccount},

	// CloudFront (the rows without Doc: ServiceDocs["cloudfront"]). The
	// List* actions take no resource.
	"cloudfront:CreateOriginAccessControl": {Actions: []string{"cloudfront:CreateOriginAccessControl"}, Scope: ScopeOriginAccessControl},
	"cloudfront:GetOriginAccessControl":    {Actions: []string{"cloudfront:GetOriginAccessControl"}, Scope: ScopeOriginAccessControl},
	"cloudfront:DeleteOriginAccessControl": {Actions: []string{"cloudfront:DeleteOriginAccessControl"}, Scope: ScopeOriginAccessControl},
	"cloudfront:ListOriginAccessControls":  {Actions: []string{"cloudfront:ListOriginAccessControls"}, Scope: ScopeAccount},
	// "This API operation requires the following IAM permissions:
	// CreateDistribution, TagResource".
	"cloudfront:CreateDistributionWithTags": {Actions: []string{"cloudfront:CreateDistribution", "cloudfront:TagResource"}, Scope: ScopeDistribution,
		Doc: "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateDistributionWithTags.html"},
	"cloudfront:GetDistribution":       {Actions: []string{"cloudfront:GetDistribution"}, Scope: ScopeDistribution},
	"cloudfront:GetDistributionConfig": {Actions: []string{"cloudfront:GetDistributionConfig"}, Scope: ScopeDistribution},
	"cloudfront:UpdateDistribution":    {Actions: []string{"cloudfront:UpdateDistribution"}, Scope: ScopeDistribution},
	"cloudfront:DeleteDistribution":    {Actions: []string{"cloudfront:DeleteDistribution"}, Scope: ScopeDistribution},
	"cloudfront:ListTagsForResource":   {Actions: []string{"cloudfront:ListTagsForResource"}, Scope: ScopeDistribution},
	"cloudfront:ListDistributions":     {Actions: []string{"cloudfront:ListDistributions"}, Scope: ScopeAccount},

	// Associating the instance profile also passes the role to EC2; the
	// rest of what it needs is EBManagedPolicy's.
	"elasticbeanstalk:UpdateEnvironment": {Actions: []string{"elasticbeanstalk:UpdateEnvironment"}, Scope: ScopeEBEnvironment,
		Also: []Need{{"iam:PassRole", ScopePassRole}}, Doc: "https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/iam-userpolicy.html#iam-userpolicy-managed"},
	"elasticbeanstalk:DescribeEnvironments":          {Actions: []string{"elasticbeanstalk:DescribeEnvironments"}, Scope: ScopeEBEnvironment},
	"elasticbeanstalk:DescribeConfigurationSettings": {Actions: []string{"elasticbeanstalk:DescribeConfigurationSettings"}, Scope: ScopeEBEnvironment},
}

// ServicePrefixes name the services of Clients' interface fields, as the
// keys of OperatorActions start. A test fails when a field has none.
var ServicePrefixes = map[string]string{
	"S3": "s3", "S3Control": "s3control", "IAM": "iam", "STS": "sts", "CloudWatch": "cloudwatch",
	"SNS": "sns", "Budgets": "budgets", "AccessAnalyzer": "access-analyzer", "EB": "elasticbeanstalk",
	"CloudFront": "cloudfront",
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
