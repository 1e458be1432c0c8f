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
	// PatternPathTraversal is "../" in any single or double percent-encoded
	// form, or a well-known local file such as /etc/passwd.
	PatternPathTraversal Pattern = "path_traversal"
	// PatternCGIInjection is a cgi-bin or *.cgi probe, or shell/sendmail
	// command injection in the target.
	PatternCGIInjection Pattern = "cgi_injection"
	// PatternDotfile is a probe for a dotfile or dot-directory: /.env, /.git/,
	// /.aws/credentials, /.ssh ... (/.well-known is not a dotfile probe).
	PatternDotfile Pattern = "dotfile"
	// PatternWordPress is a WordPress probe: /wp-login.php, /wp-admin, /xmlrpc.php ...
	PatternWordPress Pattern = "wordpress"
	// PatternPHP is a PHP probe: phpunit, phpMyAdmin, or any *.php on a Go server.
	PatternPHP Pattern = "php_exploit"
	// PatternAdminPanel is an admin or appliance panel probe: /actuator,
	// /solr, /manager/html, /boaform, /HNAP1 ...
	PatternAdminPanel Pattern = "admin_panel"
	// PatternOther is any other known exploit path: /shell, Exchange, VPN
	// appliances, *.jsp/*.asp, log4shell lookups ...
	PatternOther Pattern = "other_exploit"
)

// patterns lists every non-empty Pattern in priority order; the index is the
// pattern's rank (lower wins).
var patterns = [...]Pattern{
	PatternInvalidMethod,
	PatternWebLogic,
	PatternPathTraversal,
	PatternCGIInjection,
	PatternDotfile,
	PatternWordPress,
	PatternPHP,
	PatternAdminPanel,
	PatternOther,
}

// noRank is the rank of PatternNone: worse than every real pattern.
const noRank = len(patterns)

// byRank maps a rank, including noRank, back to its Pattern.
var byRank = [...]Pattern{
	PatternInvalidMethod, PatternWebLogic, PatternPathTraversal, PatternCGIInjection,
	PatternDotfile, PatternWordPress, PatternPHP, PatternAdminPanel, PatternOther,
	noRank: PatternNone,
}

// Patterns returns every non-empty Pattern in priority order, for
// pre-initialising metric label values. The caller owns the returned slice.
func Patterns() []Pattern {
	out := make([]Pattern, len(patterns))
	copy(out, patterns[:])
	return out
}
