package voice

import "github.com/voicewatch/voicewatch/internal/httpguard"

// GuardRoutes are the paths Handler serves, as httpguard route globs. The
// HTTP guard answers a request for any other path with 404 before the mux
// and counts it as scanner traffic (pattern unknown_route): a path the
// media core does not serve is never a legitimate error. Crawler paths
// such as /robots.txt are always let through (httpguard.BenignRoutes).
var GuardRoutes = []string{
	"/",
	"/static/**",
	"/whip",
	"/whip/*",
	"/whip/*/events",
	"/metrics",
	"/-/healthy",
	"/-/ready",
}

var guardRoutes = httpguard.MustParseRoutes(GuardRoutes...)
