package httpguard

// ruleFlags say where a rule applies and how it is anchored.
type ruleFlags uint8

const (
	// inTarget: the rule is matched against the request-target (path and
	// query, percent-decoded).
	inTarget ruleFlags = 1 << iota
	// inUA: the rule is matched against the User-Agent header.
	inUA
	// word: the needle must start the input or follow a separator byte
	// (see separators; uaSeparators in the User-Agent). Word needles may start with a letter: they are
	// only looked up after a separator, never at every byte.
	word
)

// rule is one scanner signature: a lowercase needle found anywhere in the
// decoded request-target (or User-Agent). A bounded needle must be followed
// by the end of the input or a boundary byte (see isBoundary), so "/shell"
// matches "/shell" and "/shell.php" but not "/shells". A ' ' in a needle
// matches one or more blanks (see isBlank).
type rule struct {
	needle  string
	pattern Pattern
	bounded bool
	flags   ruleFlags
}

// rules is the signature table shared by Classify, EREs and the WAF rules
// generated from Signatures. Needles are lowercase ASCII, at least two bytes
// long; matching is case-insensitive. Needles that are not word rules
// must start with punctuation ('/', '.', ';' ...), not a letter: Classify
// skips runs of bytes that cannot start a needle, and letters are most of a
// path.
// Path traversal ("../" and its encodings) is a structural check in
// Classify, not a needle; the needles under PatternPathTraversal are local
// files that only traversal or inclusion attacks ask for.
var rules = []rule{
	// Oracle WebLogic: console RCE (CVE-2020-14882/14883), wls-wsat and
	// _async deserialisation (CVE-2017-10271, CVE-2019-2725).
	{"/console", PatternWebLogic, true, inTarget}, // also ".../%252fconsole.portal": the slash decodes
	{".shellsession", PatternWebLogic, false, inTarget},
	{"/wls-wsat", PatternWebLogic, false, inTarget},
	{"/_async/", PatternWebLogic, false, inTarget},
	{"/uddiexplorer", PatternWebLogic, false, inTarget},
	{"/bea_wls_", PatternWebLogic, false, inTarget},

	{"/etc/passwd", PatternPathTraversal, false, inTarget},
	{"/etc/shadow", PatternPathTraversal, false, inTarget},
	{"/proc/self/", PatternPathTraversal, false, inTarget},
	{"/win.ini", PatternPathTraversal, true, inTarget},

	{"/cgi-bin", PatternCGIInjection, false, inTarget},
	{".cgi", PatternCGIInjection, true, inTarget},
	{"/sbin/sendmail", PatternCGIInjection, false, inTarget},
	{"/bin/sh", PatternCGIInjection, true, inTarget},
	{"/bin/bash", PatternCGIInjection, true, inTarget},
	{";wget", PatternCGIInjection, false, inTarget},
	{";curl", PatternCGIInjection, false, inTarget},
	{"|wget", PatternCGIInjection, false, inTarget},
	{"|curl", PatternCGIInjection, false, inTarget},
	{"$(", PatternCGIInjection, false, inTarget},

	{"/.env", PatternDotfile, false, inTarget},
	{"/.git", PatternDotfile, false, inTarget},
	{"/.aws", PatternDotfile, false, inTarget},
	{"/.ssh", PatternDotfile, false, inTarget},
	{"/.svn", PatternDotfile, false, inTarget},
	{"/.hg", PatternDotfile, true, inTarget},
	{"/.ds_store", PatternDotfile, false, inTarget},
	{"/.htaccess", PatternDotfile, false, inTarget},
	{"/.htpasswd", PatternDotfile, false, inTarget},
	{"/.docker", PatternDotfile, false, inTarget},
	{"/.vscode", PatternDotfile, false, inTarget},
	{"/.idea", PatternDotfile, false, inTarget},
	{"/.npmrc", PatternDotfile, false, inTarget},
	{"/.kube", PatternDotfile, false, inTarget},
	{"/.config", PatternDotfile, false, inTarget},
	{"/.bash_history", PatternDotfile, false, inTarget},
	{"/.s3cfg", PatternDotfile, false, inTarget},
	{"/.boto", PatternDotfile, false, inTarget},

	{"/wp-", PatternWordPress, false, inTarget},
	{"/wp", PatternWordPress, true, inTarget},
	{"/wordpress", PatternWordPress, true, inTarget},
	{"/xmlrpc.php", PatternWordPress, false, inTarget},

	{"/phpunit", PatternPHP, false, inTarget},
	{"/phpmyadmin", PatternPHP, false, inTarget},
	{"/pma", PatternPHP, true, inTarget},
	{"/myadmin", PatternPHP, true, inTarget},
	{"/mysqladmin", PatternPHP, true, inTarget},
	{"/phpinfo", PatternPHP, false, inTarget},
	{"/_ignition", PatternPHP, false, inTarget},
	{".php", PatternPHP, true, inTarget},

	{"/actuator", PatternAdminPanel, false, inTarget},
	{"/solr", PatternAdminPanel, true, inTarget},
	{"/manager/html", PatternAdminPanel, false, inTarget},
	{"/boaform", PatternAdminPanel, false, inTarget},
	{"/hnap1", PatternAdminPanel, false, inTarget},
	{"/gponform", PatternAdminPanel, false, inTarget},
	{"/jmx-console", PatternAdminPanel, false, inTarget},
	{"/web-console", PatternAdminPanel, false, inTarget},
	{"/invoker/", PatternAdminPanel, false, inTarget},
	{"/server-status", PatternAdminPanel, false, inTarget},
	{"/jenkins", PatternAdminPanel, true, inTarget},
	{"/druid/", PatternAdminPanel, false, inTarget},
	{"/nacos", PatternAdminPanel, true, inTarget},
	{"/geoserver", PatternAdminPanel, true, inTarget},
	{"/administrator", PatternAdminPanel, true, inTarget},
	{"/telescope", PatternAdminPanel, true, inTarget},
	{"/v2/_catalog", PatternAdminPanel, false, inTarget},

	{"/shell", PatternOther, true, inTarget},
	{"/owa", PatternOther, true, inTarget},
	{"/ecp", PatternOther, true, inTarget},
	{"/autodiscover", PatternOther, false, inTarget},
	{"/containers/json", PatternOther, false, inTarget},
	{"/dana-na", PatternOther, false, inTarget},
	{"/+cscoe+", PatternOther, false, inTarget},
	{"/global-protect", PatternOther, false, inTarget},
	{"/remote/fgt_lang", PatternOther, false, inTarget},
	{"/cfide", PatternOther, false, inTarget},
	{".asp", PatternOther, true, inTarget},
	{".aspx", PatternOther, true, inTarget},
	{".jsp", PatternOther, true, inTarget},
	{".action", PatternOther, true, inTarget},

	// Payloads: in the target and in the User-Agent. Needles are matched
	// after decoding; a ' ' in a needle stands for one or more blanks
	// (space, '+', tab, CR, LF), so "union select" also matches
	// "UNION+SELECT" and "union%09%20select".

	// JNDI lookups (log4shell, CVE-2021-44228) and their obfuscations.
	{"${jndi", PatternJNDI, false, inTarget | inUA},
	{"${${", PatternJNDI, false, inTarget | inUA},
	{"${lower:", PatternJNDI, false, inTarget | inUA},
	{"${upper:", PatternJNDI, false, inTarget | inUA},
	{"${::-", PatternJNDI, false, inTarget | inUA},
	{"${env:", PatternJNDI, false, inTarget | inUA},
	{"${sys:", PatternJNDI, false, inTarget | inUA},
	{"${date:", PatternJNDI, false, inTarget | inUA},
	{"${java:", PatternJNDI, false, inTarget | inUA},
	{"${base64:", PatternJNDI, false, inTarget | inUA},
	{"jndi:ldap", PatternJNDI, false, inTarget | inUA | word},
	{"jndi:rmi", PatternJNDI, false, inTarget | inUA | word},
	{"jndi:dns", PatternJNDI, false, inTarget | inUA | word},

	// More local files and inclusion schemes.
	{"/etc/group", PatternPathTraversal, true, inTarget},
	{"/boot.ini", PatternPathTraversal, true, inTarget},
	{"/web-inf/", PatternPathTraversal, false, inTarget},
	{"/meta-inf/", PatternPathTraversal, false, inTarget},
	{"c:/windows", PatternPathTraversal, false, inTarget | word},
	{"file://", PatternPathTraversal, false, inTarget | word},

	// Shell and command injection.
	{"() {", PatternCGIInjection, false, inTarget | inUA}, // Shellshock, CVE-2014-6271
	{"${ifs}", PatternCGIInjection, false, inTarget | inUA},
	{"`id`", PatternCGIInjection, false, inTarget | inUA},
	{"`wget", PatternCGIInjection, false, inTarget | inUA},
	{"`curl", PatternCGIInjection, false, inTarget | inUA},
	{"`cat ", PatternCGIInjection, false, inTarget | inUA},
	{"`uname", PatternCGIInjection, false, inTarget | inUA},
	{";id;", PatternCGIInjection, false, inTarget},
	{";id|", PatternCGIInjection, false, inTarget},
	{";id ", PatternCGIInjection, false, inTarget},
	{"|id ", PatternCGIInjection, false, inTarget},
	{"|id;", PatternCGIInjection, false, inTarget},
	{"&&id", PatternCGIInjection, true, inTarget},
	{"||id", PatternCGIInjection, true, inTarget},
	{";uname", PatternCGIInjection, false, inTarget},
	{"|uname", PatternCGIInjection, false, inTarget},
	{";whoami", PatternCGIInjection, false, inTarget},
	{"|whoami", PatternCGIInjection, false, inTarget},
	{";cat ", PatternCGIInjection, false, inTarget},
	{"|cat ", PatternCGIInjection, false, inTarget},
	{";ls ", PatternCGIInjection, false, inTarget},
	{";rm ", PatternCGIInjection, false, inTarget},
	{";chmod ", PatternCGIInjection, false, inTarget},
	{";busybox", PatternCGIInjection, false, inTarget},
	{"|busybox", PatternCGIInjection, false, inTarget},
	{";sh ", PatternCGIInjection, false, inTarget},
	{"|sh ", PatternCGIInjection, false, inTarget},
	{"&&wget", PatternCGIInjection, false, inTarget},
	{"&&curl", PatternCGIInjection, false, inTarget},
	{"/dev/tcp/", PatternCGIInjection, false, inTarget},
	{"\nid", PatternCGIInjection, true, inTarget},
	{"\nwget", PatternCGIInjection, false, inTarget},
	{"\ncurl", PatternCGIInjection, false, inTarget},
	{"\ncat ", PatternCGIInjection, false, inTarget},
	{"nc -e ", PatternCGIInjection, false, inTarget | inUA | word},
	{"bash -i", PatternCGIInjection, false, inTarget | inUA | word},
	{"bash -c", PatternCGIInjection, false, inTarget | inUA | word},

	// Expression-language, OGNL and template injection.
	{"${", PatternTemplate, false, inTarget | inUA},
	{"#{", PatternTemplate, false, inTarget | inUA},
	{"%{", PatternTemplate, false, inTarget | inUA},
	{"{{", PatternTemplate, false, inTarget | inUA},
	{"<%=", PatternTemplate, false, inTarget | inUA},
	{"#_memberaccess", PatternTemplate, false, inTarget | inUA},
	{"@java.lang", PatternTemplate, false, inTarget | inUA},
	{"@ognl", PatternTemplate, false, inTarget | inUA},
	{".getruntime(", PatternTemplate, false, inTarget},
	{".getclass(", PatternTemplate, false, inTarget},
	{".forname(", PatternTemplate, false, inTarget},
	{"java.lang.runtime", PatternTemplate, false, inTarget | inUA | word},
	{"java.lang.processbuilder", PatternTemplate, false, inTarget | inUA | word},
	{"class.module.classloader", PatternTemplate, false, inTarget | inUA | word},
	{"t(java.", PatternTemplate, false, inTarget | inUA | word},

	// SQL injection.
	{"union select", PatternSQLi, false, inTarget | inUA | word},
	{"union all select", PatternSQLi, false, inTarget | inUA | word},
	{"union distinct select", PatternSQLi, false, inTarget | inUA | word},
	{"/**/", PatternSQLi, false, inTarget},
	{"' or ", PatternSQLi, false, inTarget | inUA},
	{"' and ", PatternSQLi, false, inTarget | inUA},
	{"'or'", PatternSQLi, false, inTarget | inUA},
	{"'or ", PatternSQLi, false, inTarget | inUA},
	{"\" or ", PatternSQLi, false, inTarget | inUA},
	{"' union", PatternSQLi, false, inTarget | inUA},
	{"'--", PatternSQLi, false, inTarget | inUA},
	{"';", PatternSQLi, false, inTarget | inUA},
	{"')", PatternSQLi, false, inTarget | inUA},
	{"'||", PatternSQLi, false, inTarget | inUA},
	{"or 1=1", PatternSQLi, false, inTarget | inUA | word},
	{"and 1=1", PatternSQLi, false, inTarget | inUA | word},
	{"and 1=2", PatternSQLi, false, inTarget | inUA | word},
	{"or 1=2", PatternSQLi, false, inTarget | inUA | word},
	{"sleep(", PatternSQLi, false, inTarget | inUA | word},
	{"pg_sleep(", PatternSQLi, false, inTarget | inUA | word},
	{"benchmark(", PatternSQLi, false, inTarget | inUA | word},
	{"waitfor delay", PatternSQLi, false, inTarget | inUA | word},
	{"information_schema", PatternSQLi, false, inTarget | inUA | word},
	{"extractvalue(", PatternSQLi, false, inTarget | inUA | word},
	{"updatexml(", PatternSQLi, false, inTarget | inUA | word},
	{"load_file(", PatternSQLi, false, inTarget | inUA | word},
	{"into outfile", PatternSQLi, false, inTarget | inUA | word},
	{"xp_cmdshell", PatternSQLi, false, inTarget | inUA | word},
	{"dbms_pipe", PatternSQLi, false, inTarget | inUA | word},
	{"concat(0x", PatternSQLi, false, inTarget | inUA | word},
	{"@@version", PatternSQLi, false, inTarget | inUA},

	// Cross-site scripting.
	{"<script", PatternXSS, false, inTarget | inUA},
	{"</script", PatternXSS, false, inTarget | inUA},
	{"<svg", PatternXSS, false, inTarget | inUA},
	{"<img", PatternXSS, false, inTarget | inUA},
	{"<iframe", PatternXSS, false, inTarget | inUA},
	{"<body", PatternXSS, false, inTarget | inUA},
	{"<object", PatternXSS, false, inTarget | inUA},
	{"<embed", PatternXSS, false, inTarget | inUA},
	{"<details", PatternXSS, false, inTarget | inUA},
	{"\"><", PatternXSS, false, inTarget | inUA},
	{"'><", PatternXSS, false, inTarget | inUA},
	{"javascript:", PatternXSS, false, inTarget | inUA | word},
	{"vbscript:", PatternXSS, false, inTarget | inUA | word},
	{"onerror=", PatternXSS, false, inTarget | inUA | word},
	{"onload=", PatternXSS, false, inTarget | inUA | word},
	{"onmouseover=", PatternXSS, false, inTarget | inUA | word},
	{"onfocus=", PatternXSS, false, inTarget | inUA | word},
	{"ontoggle=", PatternXSS, false, inTarget | inUA | word},
	{"alert(", PatternXSS, false, inTarget | inUA | word},
	{"prompt(", PatternXSS, false, inTarget | inUA | word},
	{"confirm(", PatternXSS, false, inTarget | inUA | word},
	{"eval(", PatternXSS, false, inTarget | inUA | word},
	{"document.cookie", PatternXSS, false, inTarget | inUA | word},
	{"document.domain", PatternXSS, false, inTarget | inUA | word},
	{"string.fromcharcode", PatternXSS, false, inTarget | inUA | word},

	// More dot-directories of version control systems.
	{"/.bzr", PatternDotfile, false, inTarget},
	{"/cvs/entries", PatternDotfile, false, inTarget},
	{"/cvs/root", PatternDotfile, false, inTarget},

	// Backups, dumps, archives and editor leftovers.
	{".bak", PatternBackupFile, true, inTarget},
	{".backup", PatternBackupFile, true, inTarget},
	{".old", PatternBackupFile, true, inTarget},
	{".orig", PatternBackupFile, true, inTarget},
	{".save", PatternBackupFile, true, inTarget},
	{".swp", PatternBackupFile, true, inTarget},
	{".swo", PatternBackupFile, true, inTarget},
	{".rej", PatternBackupFile, true, inTarget},
	{".sql", PatternBackupFile, true, inTarget},
	{".dump", PatternBackupFile, true, inTarget},
	{".mdb", PatternBackupFile, true, inTarget},
	{".sqlite", PatternBackupFile, true, inTarget},
	{".sqlite3", PatternBackupFile, true, inTarget},
	{".zip", PatternBackupFile, true, inTarget},
	{".rar", PatternBackupFile, true, inTarget},
	{".7z", PatternBackupFile, true, inTarget},
	{".tar", PatternBackupFile, true, inTarget},
	{".tgz", PatternBackupFile, true, inTarget},
	{".war", PatternBackupFile, true, inTarget},
	{"/backup", PatternBackupFile, true, inTarget},
	{"/backups", PatternBackupFile, true, inTarget},
	{"/dump", PatternBackupFile, true, inTarget},

	// PHP code and wrappers.
	{"<?php", PatternPHP, false, inTarget | inUA},
	{"<?=", PatternPHP, false, inTarget | inUA},
	{"php://", PatternPHP, false, inTarget | inUA | word},
	{"phar://", PatternPHP, false, inTarget | inUA | word},
	{"expect://", PatternPHP, false, inTarget | inUA | word},
	{"allow_url_include", PatternPHP, false, inTarget | inUA | word},
	{"auto_prepend_file", PatternPHP, false, inTarget | inUA | word},
	{"base64_decode(", PatternPHP, false, inTarget | inUA | word},
	{"shell_exec(", PatternPHP, false, inTarget | inUA | word},
	{"passthru(", PatternPHP, false, inTarget | inUA | word},
	{"system(", PatternPHP, false, inTarget | inUA | word},
	{"call_user_func", PatternPHP, false, inTarget | inUA | word},

	// Known scanning tools, by User-Agent.
	{"sqlmap", PatternScannerAgent, false, inUA | word},
	{"nikto", PatternScannerAgent, false, inUA | word},
	{"nmap", PatternScannerAgent, true, inUA | word},
	{"masscan", PatternScannerAgent, false, inUA | word},
	{"zgrab", PatternScannerAgent, false, inUA | word},
	{"nuclei", PatternScannerAgent, false, inUA | word},
	{"wpscan", PatternScannerAgent, false, inUA | word},
	{"joomscan", PatternScannerAgent, false, inUA | word},
	{"dirbuster", PatternScannerAgent, false, inUA | word},
	{"gobuster", PatternScannerAgent, false, inUA | word},
	{"feroxbuster", PatternScannerAgent, false, inUA | word},
	{"dirsearch", PatternScannerAgent, false, inUA | word},
	{"fuzz faster u fool", PatternScannerAgent, false, inUA | word},
	{"wfuzz", PatternScannerAgent, false, inUA | word},
	{"acunetix", PatternScannerAgent, false, inUA | word},
	{"netsparker", PatternScannerAgent, false, inUA | word},
	{"nessus", PatternScannerAgent, false, inUA | word},
	{"openvas", PatternScannerAgent, false, inUA | word},
	{"arachni", PatternScannerAgent, false, inUA | word},
	{"skipfish", PatternScannerAgent, false, inUA | word},
	{"whatweb", PatternScannerAgent, false, inUA | word},
	{"w3af", PatternScannerAgent, false, inUA | word},
	{"commix", PatternScannerAgent, false, inUA | word},
	{"havij", PatternScannerAgent, false, inUA | word},
	{"dotdotpwn", PatternScannerAgent, false, inUA | word},
	{"jorgee", PatternScannerAgent, false, inUA | word},
	{"zmeu", PatternScannerAgent, false, inUA | word},
	{"morfeus", PatternScannerAgent, false, inUA | word},
	{"censysinspect", PatternScannerAgent, false, inUA | word},
	{"expanse, a palo alto networks", PatternScannerAgent, false, inUA | word},
	{"l9explore", PatternScannerAgent, false, inUA | word},
	{"l9tcpid", PatternScannerAgent, false, inUA | word},
	{"l9scan", PatternScannerAgent, false, inUA | word},
	{"leakix", PatternScannerAgent, false, inUA | word},
	{"custom-asynchttpclient", PatternScannerAgent, false, inUA | word},
	{"hello, world", PatternScannerAgent, true, inUA | word},
	{"hello world", PatternScannerAgent, true, inUA | word},
	{"internetmeasurement", PatternScannerAgent, false, inUA | word},
	{"xfa1", PatternScannerAgent, true, inUA | word},
	{"webinspect", PatternScannerAgent, false, inUA | word},
	{"appscan", PatternScannerAgent, false, inUA | word},
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

// separators are the bytes after which a word needle may start (besides the
// start of the input). They are all punctuation or blanks.
const separators = " +/()<>,;=&?'\"|`{}[]:\t\n\r"

// uaSeparators are the separators of the User-Agent: the tokens of a
// User-Agent are separated by blanks, "(" and ",", and a scanner names
// itself first or after one of them ("sqlmap/1.7", "(Nikto/2.1.6)",
// "compatible; Nmap Scripting Engine"). Fewer separators are fewer stops
// on the long User-Agents of browsers.
const uaSeparators = " (,\t"

// isBlank reports whether c matches a ' ' in a needle: space, '+' (a space
// in a query string), tab, CR or LF.
func isBlank(c byte) bool {
	switch c {
	case ' ', '+', '\t', '\r', '\n':
		return true
	}
	return false
}
