//go:build !sidecaronly

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Faults agent demo can inject, each switchable at start-up (--fault NAME)
// and while it runs (POST /-/fault?name=NAME on the demo's listener).
const (
	faultSTUNDead     = "stun-dead"
	faultTURNDead     = "turn-dead"
	faultUDPBlocked   = "udp-blocked"
	faultTTSPolicy    = "tts-policy"
	faultSTTTimeouts  = "stt-timeouts"
	faultScannerFlood = "scanner-flood"
)

// faultHelp says what each fault does and what to watch.
var faultHelp = map[string]string{
	faultSTUNDead:     "the embedded server stops answering STUN Binding requests: the STUN probe turns red, ICE gathering loses its srflx candidates",
	faultTURNDead:     "the embedded server stops answering TURN (Allocate, Refresh, relayed data): the TURN probe and relay-only calls fail",
	faultUDPBlocked:   "the media core's UDP is dropped (a closed port range): calls connect only through TURN over TCP, candidate types switch to relay",
	faultTTSPolicy:    "every synthesis fails like ElevenLabs closing the stream with 1008 (policy violation): voice_tts_errors_total{reason=\"policy_violation\"}, the apology plays instead",
	faultSTTTimeouts:  "every utterance ends in an STT timeout with no transcript: voice_stt_errors_total{reason=\"timeout\"} rises, which by design pages nobody (speak on the test page, or add --greeting=false so the synthetic calls speak first and get no echo)",
	faultScannerFlood: "5 scanner requests a second from loopback (WebLogic console, cgi sendmail injection, invalid methods): counted by pattern, rejected cheaply, never an error",
}

// faultNames lists the faults in a stable order.
func faultNames() []string {
	names := make([]string, 0, len(faultHelp))
	for n := range faultHelp {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// faultSet is the demo's switchboard: one flag per fault, read on every
// packet or request by the fault's mechanism.
type faultSet struct {
	mu    sync.Mutex
	on    map[string]*atomic.Bool
	hooks map[string]func(on bool) // called on a change (scanner-flood starts its sender)
}

func newFaultSet() *faultSet {
	f := &faultSet{on: map[string]*atomic.Bool{}, hooks: map[string]func(bool){}}
	for _, n := range faultNames() {
		f.on[n] = new(atomic.Bool)
	}
	return f
}

// flag returns the switch of a fault (mechanisms keep it and Load it).
func (f *faultSet) flag(name string) *atomic.Bool { return f.on[name] }

// set switches a fault and runs its hook on a change.
func (f *faultSet) set(name string, on bool) error {
	b, ok := f.on[name]
	if !ok {
		return fmt.Errorf("unknown fault %q: want one of %s", name, strings.Join(faultNames(), ", "))
	}
	f.mu.Lock()
	hook := f.hooks[name]
	f.mu.Unlock()
	if b.Swap(on) != on && hook != nil {
		hook(on)
	}
	return nil
}

// onChange registers the hook of a fault.
func (f *faultSet) onChange(name string, hook func(on bool)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hooks[name] = hook
}

// active returns the faults that are on, sorted.
func (f *faultSet) active() []string {
	var out []string
	for _, n := range faultNames() {
		if f.on[n].Load() {
			out = append(out, n)
		}
	}
	return out
}

// String and Set make the set a repeatable --fault flag.
func (f *faultSet) String() string {
	if f == nil || f.on == nil {
		return ""
	}
	return strings.Join(f.active(), ",")
}

func (f *faultSet) Set(v string) error {
	for _, n := range strings.Split(v, ",") {
		if err := f.set(strings.TrimSpace(n), true); err != nil {
			return err
		}
	}
	return nil
}

// faultState is the JSON of GET and POST /-/fault.
type faultState struct {
	Active []string          `json:"active"`
	Faults map[string]string `json:"faults"`
}

// ServeHTTP answers /-/fault: GET lists the faults and which are on; POST
// ?name=NAME[&on=true|false] switches one (without on, it toggles).
func (f *faultSet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		name := r.URL.Query().Get("name")
		b, ok := f.on[name]
		if !ok {
			http.Error(w, fmt.Sprintf("unknown fault %q: want name=%s", name, strings.Join(faultNames(), "|")), http.StatusBadRequest)
			return
		}
		on := !b.Load()
		if v := r.URL.Query().Get("on"); v != "" {
			p, err := strconv.ParseBool(v)
			if err != nil {
				http.Error(w, fmt.Sprintf("on=%q: want true or false", v), http.StatusBadRequest)
				return
			}
			on = p
		}
		_ = f.set(name, on)
	}
	w.Header().Set("Content-Type", "application/json")
	active := f.active()
	if active == nil {
		active = []string{}
	}
	_ = json.NewEncoder(w).Encode(faultState{Active: active, Faults: faultHelp})
}

// faultUsage is the --help text of the faults.
func faultUsage() string {
	var b strings.Builder
	b.WriteString("\nFaults (--fault NAME, repeatable; or while running:\n  curl -X POST 'http://LISTEN/-/fault?name=NAME' toggles one, &on=false clears it):\n")
	for _, n := range faultNames() {
		fmt.Fprintf(&b, "  %s\n%s", n, wrapWords(faultHelp[n], "      "))
	}
	return b.String()
}

// wrapWords wraps text into lines of at most 78 columns starting with indent.
func wrapWords(text, indent string) string {
	var b strings.Builder
	line := indent
	for _, w := range strings.Fields(text) {
		if len(line)+len(w)+1 > 78 && line != indent {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = indent
		}
		line += w + " "
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
	return b.String()
}
