package probes

// Kind describes one probe kind, as blackbox_exporter's prober table does:
// its name, the phases its probers report, and how the kind's own settings
// decode. Each kind's package declares one (stun.Kind, turn.Kind,
// webrtc.Kind, http.Kind); a [Registry] maps names to them.
//
// Decoding and binding are two steps. Decode runs once, when a
// configuration is loaded, apart from any target: it decodes the
// settings, applies their defaults and validates them. Binding a target
// ([Module.Prober]) runs per probe (the sidecar's GET /probe) and decodes
// nothing.
type Kind struct {
	// Name is the kind's name in configuration files and the kind label,
	// e.g. "stun" (see probemetrics.KindSTUN).
	Name string
	// Phases are the phase names the kind's probers may report, in order;
	// max_<phase> assertions must name one of them.
	Phases []string
	// Decode builds a Module from the kind's settings. fill decodes the
	// settings strictly (unknown fields are errors) into the pointer it is
	// given; it is never nil and leaves the value as it is when there are
	// no settings. Decode applies the defaults, validates the result and
	// uses no network.
	Decode func(fill func(v any) error) (Module, error)
}

// Module is one kind's settings, decoded and validated: it binds targets.
type Module interface {
	// Prober returns a prober of target with these settings. It checks
	// only the target (its syntax); it decodes nothing and opens no
	// connection.
	Prober(target string, env Env) (Prober, error)
}

// ModuleFunc adapts a function to a [Module].
type ModuleFunc func(target string, env Env) (Prober, error)

// Prober calls f(target, env).
func (f ModuleFunc) Prober(target string, env Env) (Prober, error) { return f(target, env) }

// Settings is what a kind's configuration struct C provides: its
// documented defaults, and validation of everything but the target.
type Settings[C any] interface {
	// WithDefaults returns the settings with zero fields set to their
	// defaults.
	WithDefaults() C
	// Validate reports settings that can never work.
	Validate() error
}

// DecodeSettings fills a zero C with fill, applies its defaults and
// validates it: the decoding step every kind's Decode shares.
func DecodeSettings[C Settings[C]](fill func(v any) error) (C, error) {
	var c C
	if err := fill(&c); err != nil {
		return c, err
	}
	c = c.WithDefaults()
	return c, c.Validate()
}

// NewKind returns the Kind whose settings decode into C (strictly, defaults
// applied, validated: once, at load) and whose modules bind a target by
// calling bind with a copy of those settings. bind sets the target in its
// copy and builds the prober; it must not decode or do I/O.
func NewKind[C Settings[C]](name string, phases []string, bind func(settings C, target string, env Env) (Prober, error)) Kind {
	return Kind{Name: name, Phases: phases, Decode: func(fill func(v any) error) (Module, error) {
		settings, err := DecodeSettings[C](fill)
		if err != nil {
			return nil, err
		}
		return ModuleFunc(func(target string, env Env) (Prober, error) { return bind(settings, target, env) }), nil
	}}
}
