package http

import "errors"

var (
	// ErrStatus: the endpoint answered an unexpected status.
	ErrStatus = errors.New("http: unexpected status")
	// ErrBadURL: the target is not an http(s) URL.
	ErrBadURL = errors.New("http: bad URL")
	// ErrBadConfig: a setting can never work.
	ErrBadConfig = errors.New("http: bad config")
)
