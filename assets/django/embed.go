// Package django holds the Python templates s3wizard renders into a Django
// project: the settings block (.s3wizard/django_settings.py) and, for Django
// releases older than 4.2, the companion module of storage classes. It also
// holds files copied as they are: the health-check module
// (s3wizard_health.py) and its Elastic Beanstalk option file
// (s3wizard-health.config) for the instance-role (EC2 / Elastic Beanstalk)
// path. s3wizard_check.py and s3wizard_check_settings.py are the upload
// test `check` and `apply` run through the project's own manage.py (never
// written into the project).
package django

import "embed"

// FS holds settings.py.tmpl, storages.py.tmpl, s3wizard_health.py and
// s3wizard-health.config.
//
//go:embed *.tmpl *.py *.config
var FS embed.FS
