package steps

import (
	"github.com/s3wizard/s3wizard/accesskey"
	"github.com/s3wizard/s3wizard/engine"
)

// CheckID names a check for good (engine.CheckID).
type CheckID = engine.CheckID

// The checks of each step's Verify (the access key's are package
// accesskey's).
const (
	checkIdentity CheckID = "aws-identity" // preflight

	CheckBucketExists       CheckID = "bucket-exists" // bucket
	CheckBucketRegion       CheckID = "bucket-region"
	CheckBucketACLsDisabled CheckID = "bucket-acls-disabled"

	CheckLayoutProbe CheckID = "layout-probe" // layout

	CheckIAMUser   CheckID = "iam-user" // iam
	CheckIAMGroup  CheckID = "iam-group-member"
	CheckIAMPolicy CheckID = "iam-policy"

	CheckRole            CheckID = "role" // role
	CheckRolePolicy      CheckID = "role-policy"
	CheckInstanceProfile CheckID = "instance-profile"

	CheckPublicAccessBlock  CheckID = "public-access-block" // public
	CheckPrivateRefused     CheckID = "private-refused"
	CheckPublicReadable     CheckID = "public-readable"
	CheckAppKeyAfterPolicy  CheckID = "app-key-after-policy"
	CheckPrivateNotOnDomain CheckID = "private-not-on-public-domain"
	// With cloudfront: the public files are not readable at S3 itself, and
	// the distribution, its origin access control and the bucket policy's
	// CloudFront statement are as wanted.
	CheckPublicNotDirect       CheckID = "public-not-direct"
	CheckCloudFront            CheckID = "cloudfront-distribution"
	CheckCloudFrontOAC         CheckID = "cloudfront-origin-access-control"
	CheckCloudFrontPolicyGrant CheckID = "cloudfront-bucket-policy"
	CheckCORSRules             CheckID = "cors-rules"
	CheckCORSPreflight         CheckID = "cors-preflight-allowed"
	CheckCORSRefused           CheckID = "cors-preflight-refused"

	checkEnvFileReadable  CheckID = "env-file-readable" // app-config
	CheckEnvVars          CheckID = "env-vars"
	CheckEnvFileMode      CheckID = "env-file-mode"
	CheckSecretsIgnored   CheckID = "secrets-ignored"
	CheckSecretsUntracked CheckID = "secrets-not-tracked"
	CheckEnvKeyRecorded   CheckID = "env-key-recorded"
	CheckDjangoSettings   CheckID = "django-settings"
	CheckHerokuFile       CheckID = "heroku-file"
	CheckSetEnvFile       CheckID = "set-env-file"

	CheckEncryption          CheckID = "encryption" // protection
	CheckVersioning          CheckID = "versioning"
	CheckLifecycle           CheckID = "lifecycle"
	CheckAccessLogging       CheckID = "access-logging"
	checkLogBucketACLs       CheckID = "log-bucket-acls-disabled"
	checkLogBucketPAB        CheckID = "log-bucket-public-access-block"
	checkLogBucketEncryption CheckID = "log-bucket-encryption"
	checkLogBucketLifecycle  CheckID = "log-bucket-lifecycle"
	checkLogBucketPolicy     CheckID = "log-bucket-policy"

	CheckAlarm          CheckID = "alarm" // monitoring
	CheckAlarmNotify    CheckID = "alarm-notify"
	CheckRequestMetrics CheckID = "request-metrics"
	CheckBudget         CheckID = "budget"
	CheckBudgetAlert    CheckID = "budget-alert"
)

// The checks of Doctor (the app's own access; not a step).
const (
	DoctorEnvFile      CheckID = "doctor-env-file"
	DoctorBucketVar    CheckID = "doctor-bucket-var"
	DoctorCredentials  CheckID = "doctor-credentials"
	DoctorBucket       CheckID = "doctor-bucket"
	DoctorRegion       CheckID = "doctor-region"
	DoctorProbe        CheckID = "doctor-probe"
	DoctorAnonymous    CheckID = "doctor-anonymous"
	DoctorMissingIs404 CheckID = "doctor-missing-is-404"
	DoctorList         CheckID = "doctor-list"
	DoctorLifecycle    CheckID = "doctor-lifecycle"
	DoctorMultipart    CheckID = "doctor-multipart"
	DoctorOldVersions  CheckID = "doctor-old-versions"
)

// The checks of djangocheck.Run (the upload test by the project's own Django;
// not a step). Every storage (default_storage, each public storage) makes
// its own Save… Delete checks.
const (
	DjangoUpload          CheckID = "django-upload" // skipped (how by hand) or could not run
	DjangoSettingsLoaded  CheckID = "django-settings-loaded"
	DjangoS3Backend       CheckID = "django-s3-backend"
	DjangoSave            CheckID = "django-save"
	DjangoReadBack        CheckID = "django-read-back"
	DjangoSignedURL       CheckID = "django-signed-url"
	DjangoUnsignedRefused CheckID = "django-unsigned-url-refused"
	DjangoPlainURL        CheckID = "django-plain-url"
	DjangoDelete          CheckID = "django-delete"
)

// checkStep is the step whose Verify makes each check.
var checkStep = map[CheckID]string{
	checkIdentity:     "preflight",
	CheckBucketExists: "bucket", CheckBucketRegion: "bucket", CheckBucketACLsDisabled: "bucket",
	CheckLayoutProbe: "layout",
	CheckIAMUser:     "iam", CheckIAMGroup: "iam", CheckIAMPolicy: "iam",
	CheckRole: "role", CheckRolePolicy: "role", CheckInstanceProfile: "role",
	accesskey.CheckInEnvFile: "access-key", accesskey.CheckWorks: "access-key", accesskey.CheckAppProbe: "access-key",
	CheckPublicAccessBlock: "public", CheckPrivateRefused: "public", CheckPublicReadable: "public", CheckAppKeyAfterPolicy: "public", CheckPrivateNotOnDomain: "public",
	CheckPublicNotDirect: "public", CheckCloudFront: "public", CheckCloudFrontOAC: "public", CheckCloudFrontPolicyGrant: "public",
	CheckCORSRules: "public", CheckCORSPreflight: "public", CheckCORSRefused: "public",
	checkEnvFileReadable: "app-config", CheckEnvVars: "app-config", CheckEnvFileMode: "app-config",
	CheckSecretsIgnored: "app-config", CheckSecretsUntracked: "app-config", CheckEnvKeyRecorded: "app-config", CheckDjangoSettings: "app-config",
	CheckHerokuFile: "app-config", CheckSetEnvFile: "app-config",
	CheckEncryption: "protection", CheckVersioning: "protection", CheckLifecycle: "protection",
	CheckAccessLogging: "protection", checkLogBucketACLs: "protection", checkLogBucketPAB: "protection",
	checkLogBucketEncryption: "protection", checkLogBucketLifecycle: "protection", checkLogBucketPolicy: "protection",
	CheckAlarm: "monitoring", CheckAlarmNotify: "monitoring", CheckRequestMetrics: "monitoring", CheckBudget: "monitoring", CheckBudgetAlert: "monitoring",
}

// CheckStep returns the ID of the step whose Verify makes check id, or ""
// when no step does.
func CheckStep(id CheckID) string { return checkStep[id] }
