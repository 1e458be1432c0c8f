package webrtc

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestParseICELinks(t *testing.T) {
	got, err := ParseICELinks([]string{
		`<stun:127.0.0.1:3478>; rel="ice-server"`,
		`<turn:127.0.0.1:3478?transport=udp>; rel="ice-server"; username="1700000000:probe"; credential="c2VjcmV0,;=\"x"; credential-type="password", <https://example.com/>; rel="help"`,
		`<turns:turn.example.com:5349?transport=tcp>; rel=ice-server; username=u; credential=p`,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []ICEServer{
		{URL: "stun:127.0.0.1:3478"},
		{URL: "turn:127.0.0.1:3478?transport=udp", Username: "1700000000:probe", Password: `c2VjcmV0,;="x`},
		{URL: "turns:turn.example.com:5349?transport=tcp", Username: "u", Password: "p"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	for _, bad := range []string{`<http://x>; rel="ice-server"`, `stun:x; rel="ice-server"`, `<turn:x>; rel="ice-server"; credential-type="oauth"; credential="secret-value"`} {
		_, err := ParseICELinks([]string{bad})
		if !errors.Is(err, ErrDiscovery) {
			t.Errorf("%s: err %v, want ErrDiscovery", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret-value") {
			t.Errorf("error shows the credential: %v", err)
		}
	}
}

func TestDiscoverICEServers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodOptions {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		if r.Header.Get("Authorization") == "Bearer tok" {
			w.Header().Add("Link", `<turn:127.0.0.1:3478?transport=udp>; rel="ice-server"; username="u"; credential="p"; credential-type="password"`)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	got, err := DiscoverICEServers(context.Background(), nil, srv.URL+"/whip", "tok")
	if err != nil || len(got) != 1 || got[0].Username != "u" {
		t.Fatalf("got %+v, %v", got, err)
	}
	if got, err := DiscoverICEServers(context.Background(), nil, srv.URL+"/whip", ""); err != nil || len(got) != 0 {
		t.Fatalf("without a token: %+v, %v", got, err)
	}
	nf := httptest.NewServer(http.NotFoundHandler())
	defer nf.Close()
	if _, err := DiscoverICEServers(context.Background(), nil, nf.URL+"/whip", ""); !errors.Is(err, ErrDiscovery) || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: %v", err)
	}
}
