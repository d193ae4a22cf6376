package djangoapp

import (
	"os"
	"regexp"
	"strings"
)

var (
	// allowedHostsRe finds a literal list or tuple assigned to
	// ALLOWED_HOSTS (over several lines); a computed value (os.environ…,
	// a split) does not match, and no default is derived from it.
	allowedHostsRe = regexp.MustCompile(`(?m)^ALLOWED_HOSTS\s*(?::[^=\n]*)?=\s*[\[(]([^\])]*)[\])]\s*(?:#.*)?$`)
	pyStrRe        = regexp.MustCompile(`^\s*[rRuU]?(?:"([^"\\]*)"|'([^'\\]*)')\s*$`)
)

// SiteHosts returns the ALLOWED_HOSTS of the project in dir when its
// settings file assigns them a literal list (the last such assignment),
// nil otherwise. No Python runs: a list built at import time is not read.
func SiteHosts(dir string) []string {
	_, file, err := settingsOf(orDot(dir))
	if err != nil || file == "" {
		return nil
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	return parseAllowedHosts(string(src))
}

// parseAllowedHosts reads the last literal ALLOWED_HOSTS of a settings
// file; a list holding anything but string literals yields nil.
func parseAllowedHosts(src string) []string {
	all := allowedHostsRe.FindAllStringSubmatch(src, -1)
	if len(all) == 0 {
		return nil
	}
	var block []string
	for _, line := range strings.Split(all[len(all)-1][1], "\n") {
		block = append(block, stripComment(line))
	}
	hosts := []string{}
	for _, item := range strings.Split(strings.Join(block, " "), ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		s := pyStrRe.FindStringSubmatch(item)
		if s == nil {
			return nil
		}
		hosts = append(hosts, s[1]+s[2])
	}
	return hosts
}
