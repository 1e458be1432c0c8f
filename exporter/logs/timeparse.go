package logs

import "time"

var months = map[string]time.Month{
	"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
	"Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}

// parseCLFTime parses "25/Nov/2026:10:00:00 +0000" (clfTimeLayout) without
// time.Parse's generality; anything unusual falls back to time.Parse.
func parseCLFTime(b []byte) (time.Time, error) {
	if len(b) != 26 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' || b[20] != ' ' || (b[21] != '+' && b[21] != '-') {
		return time.Parse(clfTimeLayout, string(b))
	}
	num := func(s []byte) int {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	day, year, hh, mm, ss := num(b[0:2]), num(b[7:11]), num(b[12:14]), num(b[15:17]), num(b[18:20])
	zh, zm := num(b[22:24]), num(b[24:26])
	mon, ok := months[string(b[3:6])]
	if !ok || day < 1 || day > 31 || year < 0 || hh > 23 || mm > 59 || ss > 59 || zh < 0 || zh > 23 || zm < 0 || zm > 59 || hh < 0 || mm < 0 || ss < 0 {
		return time.Parse(clfTimeLayout, string(b))
	}
	if time.Date(year, mon, day, 0, 0, 0, 0, time.UTC).Day() != day {
		return time.Parse(clfTimeLayout, string(b)) // e.g. 31/Feb: let time.Parse reject it
	}
	off := (zh*60 + zm) * 60
	if b[21] == '-' {
		off = -off
	}
	loc := time.UTC
	if off != 0 {
		loc = time.FixedZone("", off)
	}
	return time.Date(year, mon, day, hh, mm, ss, 0, loc), nil
}
