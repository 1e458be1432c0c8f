package httpguard

// Pattern is a bounded label value naming a scanner signature. "" means
// legitimate. The set of values is fixed (see [Patterns]), so a Pattern is
// safe to use as a metric label even though attackers choose the paths.
type Pattern string

// The scanner signatures, in priority order: when a request matches several,
// [Classify] returns the first one listed here.
const (
	// PatternNone marks a request that matched no scanner signature.
	PatternNone Pattern = ""
	// PatternInvalidMethod is a method outside [KnownMethod], e.g. "ABCD / HTTP/1.1".
	PatternInvalidMethod Pattern = "invalid_method"
	// PatternWebLogic is an Oracle WebLogic console or web-service probe
	// (/console/..., ShellSession, console.portal, /wls-wsat/, /_async/).
	PatternWebLogic Pattern = "weblogic"
	// PatternJNDI is a JNDI lookup (log4shell, CVE-2021-44228) and its
	// obfuscations: ${jndi:, ${${lower:j}ndi:, ${::-j}... in the target or
	// the User-Agent.
	PatternJNDI Pattern = "jndi_lookup"
	// PatternPathTraversal is "../" in any single or double percent-encoded
	// form (also Tomcat's "..;/"), or a well-known local file such as
	// /etc/passwd, WEB-INF/ or file://.
	PatternPathTraversal Pattern = "path_traversal"
	// PatternCGIInjection is a cgi-bin or *.cgi probe, or shell/sendmail
	// command injection in the target or the User-Agent (;wget, $(id),
	// `id`, Shellshock's "() {").
	PatternCGIInjection Pattern = "cgi_injection"
	// PatternTemplate is an expression-language or template injection:
	// ${...}, #{...}, %{...} (OGNL), {{...}} (SSTI), <%= %>, Spring
	// class.module.classLoader, java.lang.Runtime.
	PatternTemplate Pattern = "template_injection"
	// PatternSQLi is SQL injection: UNION SELECT, ' OR 1=1, sleep(),
	// information_schema, comment evasion (/**/) ...
	PatternSQLi Pattern = "sql_injection"
	// PatternXSS is cross-site scripting: <script, javascript:, onerror=,
	// alert( ...
	PatternXSS Pattern = "xss"
	// PatternDotfile is a probe for a dotfile or dot-directory: /.env, /.git/,
	// /.aws/credentials, /.ssh ... (/.well-known is not a dotfile probe).
	PatternDotfile Pattern = "dotfile"
	// PatternBackupFile is a probe for a backup, dump or archive file, or an
	// editor leftover: *.bak, *.sql, *.zip, *.tar.gz, *.swp, *.orig, /backup ...
	PatternBackupFile Pattern = "backup_file"
	// PatternWordPress is a WordPress probe: /wp-login.php, /wp-admin, /xmlrpc.php ...
	PatternWordPress Pattern = "wordpress"
	// PatternPHP is a PHP probe or PHP code: phpunit, phpMyAdmin, any *.php
	// on a Go server, <?php, php://input, allow_url_include.
	PatternPHP Pattern = "php_exploit"
	// PatternAdminPanel is an admin or appliance panel probe: /actuator,
	// /solr, /manager/html, /boaform, /HNAP1 ...
	PatternAdminPanel Pattern = "admin_panel"
	// PatternOther is any other known exploit path: /shell, Exchange, VPN
	// appliances, *.jsp/*.asp ...
	PatternOther Pattern = "other_exploit"
	// PatternScannerAgent is a request whose User-Agent names a known
	// scanning tool (sqlmap, Nikto, Nmap, zgrab, Nuclei, masscan ...).
	PatternScannerAgent Pattern = "scanner_agent"
	// PatternUnknownRoute is a request for a path the application does not
	// serve (see [Routes]); only reported when routes are configured.
	PatternUnknownRoute Pattern = "unknown_route"
)

// patterns lists every non-empty Pattern in priority order; the index is the
// pattern's rank (lower wins).
var patterns = [...]Pattern{
	PatternInvalidMethod,
	PatternWebLogic,
	PatternJNDI,
	PatternPathTraversal,
	PatternCGIInjection,
	PatternTemplate,
	PatternSQLi,
	PatternXSS,
	PatternDotfile,
	PatternBackupFile,
	PatternWordPress,
	PatternPHP,
	PatternAdminPanel,
	PatternOther,
	PatternScannerAgent,
	PatternUnknownRoute,
}

// noRank is the rank of PatternNone: worse than every real pattern.
const noRank = len(patterns)

// byRank maps a rank, including noRank, back to its Pattern.
var byRank = func() (out [noRank + 1]Pattern) {
	copy(out[:], patterns[:])
	out[noRank] = PatternNone
	return out
}()

// Patterns returns every non-empty Pattern in priority order, for
// pre-initialising metric label values. The caller owns the returned slice.
func Patterns() []Pattern {
	out := make([]Pattern, len(patterns))
	copy(out, patterns[:])
	return out
}
