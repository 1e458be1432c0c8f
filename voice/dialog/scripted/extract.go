package scripted

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	wordRE   = regexp.MustCompile(`[\p{L}\p{N}']+`)
	digitsRE = regexp.MustCompile(`-?\d+`)
	// leadIns are stripped from text answers ("my name is Ada" → "Ada").
	leadIns = []string{"my name is", "my name's", "the name is", "it is", "it's", "i am", "i'm", "this is", "call me"}
	yes     = []string{"yes", "yeah", "yep", "yup", "sure", "correct", "right", "affirmative", "ok", "okay"}
	no      = []string{"no", "nope", "nah", "wrong", "incorrect", "negative", "not"}
	numbers = map[string]int{"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
		"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
		"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20}
)

// extract reads the slot's value from a transcript; ok is false when the
// answer does not fit.
func (s *Slot) extract(text string) (string, bool) {
	words := wordRE.FindAllString(strings.ToLower(text), -1)
	switch s.Type {
	case TypeNumber:
		n, ok := number(text, words)
		if !ok || (s.Min != nil && n < *s.Min) || (s.Max != nil && n > *s.Max) {
			return "", false
		}
		return strconv.Itoa(n), true
	case TypeYesNo:
		return yesNo(words)
	case TypeChoice:
		for _, w := range words {
			for _, c := range s.Choices {
				if strings.EqualFold(w, c) {
					return c, true
				}
			}
		}
		return "", false
	case TypePattern:
		m := s.re.FindStringSubmatch(text)
		switch {
		case m == nil:
			return "", false
		case len(m) > 1 && m[1] != "":
			return m[1], true
		}
		return m[0], true
	}
	// text: the answer without lead-ins and trailing punctuation.
	v := strings.TrimSpace(text)
	lower := strings.ToLower(v)
	for _, l := range leadIns {
		if strings.HasPrefix(lower, l+" ") {
			v = strings.TrimSpace(v[len(l):])
			break
		}
	}
	v = strings.TrimRight(v, ".!?, ")
	return v, v != ""
}

func number(text string, words []string) (int, bool) {
	if m := digitsRE.FindString(text); m != "" {
		n, err := strconv.Atoi(m)
		return n, err == nil
	}
	for _, w := range words {
		if n, ok := numbers[w]; ok {
			return n, true
		}
	}
	return 0, false
}

// yesNo answers "yes" or "no"; a sentence with both or neither does not fit.
func yesNo(words []string) (string, bool) {
	y := slices.ContainsFunc(words, func(w string) bool { return slices.Contains(yes, w) })
	n := slices.ContainsFunc(words, func(w string) bool { return slices.Contains(no, w) })
	switch {
	case y && !n:
		return "yes", true
	case n && !y, y && slices.Contains(words, "not"): // "that's not right"
		return "no", true
	}
	return "", false
}
