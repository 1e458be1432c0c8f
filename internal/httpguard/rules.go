package httpguard

// rule is one scanner signature: a lowercase needle found anywhere in the
// decoded request-target. A bounded needle must be followed by the end of the
// target or a boundary byte (see isBoundary), so "/shell" matches "/shell"
// and "/shell.php" but not "/shells".
type rule struct {
	needle  string
	pattern Pattern
	bounded bool
}

// rules is the signature table shared by Classify and EREs. Needles are
// lowercase ASCII, at least two bytes long; matching is case-insensitive.
// Needles should start with punctuation ('/', '.', ';' ...), not a letter:
// Classify skips runs of bytes that cannot start a needle, and letters are
// most of a path.
// Path traversal ("../" and its encodings) is a structural check in
// Classify, not a needle; the needles under PatternPathTraversal are local
// files that only traversal or inclusion attacks ask for.
var rules = []rule{
	// Oracle WebLogic: console RCE (CVE-2020-14882/14883), wls-wsat and
	// _async deserialisation (CVE-2017-10271, CVE-2019-2725).
	{"/console", PatternWebLogic, true}, // also ".../%252fconsole.portal": the slash decodes
	{".shellsession", PatternWebLogic, false},
	{"/wls-wsat", PatternWebLogic, false},
	{"/_async/", PatternWebLogic, false},
	{"/uddiexplorer", PatternWebLogic, false},
	{"/bea_wls_", PatternWebLogic, false},

	{"/etc/passwd", PatternPathTraversal, false},
	{"/etc/shadow", PatternPathTraversal, false},
	{"/proc/self/", PatternPathTraversal, false},
	{"/win.ini", PatternPathTraversal, true},

	{"/cgi-bin", PatternCGIInjection, false},
	{".cgi", PatternCGIInjection, true},
	{"/sbin/sendmail", PatternCGIInjection, false},
	{"/bin/sh", PatternCGIInjection, true},
	{"/bin/bash", PatternCGIInjection, true},
	{";wget", PatternCGIInjection, false},
	{";curl", PatternCGIInjection, false},
	{"|wget", PatternCGIInjection, false},
	{"|curl", PatternCGIInjection, false},
	{"$(", PatternCGIInjection, false},

	{"/.env", PatternDotfile, false},
	{"/.git", PatternDotfile, false},
	{"/.aws", PatternDotfile, false},
	{"/.ssh", PatternDotfile, false},
	{"/.svn", PatternDotfile, false},
	{"/.hg", PatternDotfile, true},
	{"/.ds_store", PatternDotfile, false},
	{"/.htaccess", PatternDotfile, false},
	{"/.htpasswd", PatternDotfile, false},
	{"/.docker", PatternDotfile, false},
	{"/.vscode", PatternDotfile, false},
	{"/.idea", PatternDotfile, false},
	{"/.npmrc", PatternDotfile, false},
	{"/.kube", PatternDotfile, false},
	{"/.config", PatternDotfile, false},
	{"/.bash_history", PatternDotfile, false},
	{"/.s3cfg", PatternDotfile, false},
	{"/.boto", PatternDotfile, false},

	{"/wp-", PatternWordPress, false},
	{"/wp", PatternWordPress, true},
	{"/wordpress", PatternWordPress, true},
	{"/xmlrpc.php", PatternWordPress, false},

	{"/phpunit", PatternPHP, false},
	{"/phpmyadmin", PatternPHP, false},
	{"/pma", PatternPHP, true},
	{"/myadmin", PatternPHP, true},
	{"/mysqladmin", PatternPHP, true},
	{"/phpinfo", PatternPHP, false},
	{"/_ignition", PatternPHP, false},
	{".php", PatternPHP, true},

	{"/actuator", PatternAdminPanel, false},
	{"/solr", PatternAdminPanel, true},
	{"/manager/html", PatternAdminPanel, false},
	{"/boaform", PatternAdminPanel, false},
	{"/hnap1", PatternAdminPanel, false},
	{"/gponform", PatternAdminPanel, false},
	{"/jmx-console", PatternAdminPanel, false},
	{"/web-console", PatternAdminPanel, false},
	{"/invoker/", PatternAdminPanel, false},
	{"/server-status", PatternAdminPanel, false},
	{"/jenkins", PatternAdminPanel, true},
	{"/druid/", PatternAdminPanel, false},
	{"/nacos", PatternAdminPanel, true},
	{"/geoserver", PatternAdminPanel, true},
	{"/administrator", PatternAdminPanel, true},
	{"/telescope", PatternAdminPanel, true},
	{"/v2/_catalog", PatternAdminPanel, false},

	{"/shell", PatternOther, true},
	{"/owa", PatternOther, true},
	{"/ecp", PatternOther, true},
	{"/autodiscover", PatternOther, false},
	{"/containers/json", PatternOther, false},
	{"/dana-na", PatternOther, false},
	{"/+cscoe+", PatternOther, false},
	{"/global-protect", PatternOther, false},
	{"/remote/fgt_lang", PatternOther, false},
	{"/cfide", PatternOther, false},
	{"${jndi", PatternOther, false},
	{".asp", PatternOther, true},
	{".aspx", PatternOther, true},
	{".jsp", PatternOther, true},
	{".action", PatternOther, true},
}

// isBoundary reports whether the decoded byte c may follow a bounded needle.
// Space and '"' let the same rules work on whole access-log lines.
func isBoundary(c byte) bool {
	switch c {
	case '/', '.', '?', '#', ';', '&', '=', ' ', '"', '\\':
		return true
	}
	return false
}
