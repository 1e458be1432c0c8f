package logs

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
)

// gzipMagic are the first two bytes of every gzip stream (RFC 1952).
var gzipMagic = [2]byte{0x1f, 0x8b}

// maybeGunzip returns r decompressed when it starts with the gzip magic
// bytes, whatever its name (ALB and CloudFront deliver .log.gz; a renamed
// or piped file is recognised too), and r itself otherwise. Concatenated
// gzip members are read as one stream, as gzip -d does.
func maybeGunzip(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(2)
	if err != nil || head[0] != gzipMagic[0] || head[1] != gzipMagic[1] {
		return br, nil //nolint:nilerr // a short or empty input is not gzip
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return zr, nil
}
