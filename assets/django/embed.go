// Package django holds the Python templates s3wizard renders into a Django
// project: the settings block (.s3wizard/django_settings.py) and, for Django
// releases older than 4.2, the companion module of storage classes.
package django

import "embed"

// FS holds settings.py.tmpl and storages.py.tmpl.
//
//go:embed *.tmpl
var FS embed.FS
