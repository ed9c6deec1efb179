package transport

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// MaxClientID bounds the length of a ClientID: the console's are 20
// characters.
const MaxClientID = 64

// The rules below never quote the value they refuse: a base URL may carry a
// password, and a ClientID with a line break would forge a log line.

// CheckClientID reports whether id can be sent as the X-Hydrogen-Client-ID
// header: not empty, at most MaxClientID bytes, no control character, no
// space at either end (a header value loses it).
func CheckClientID(id string) error {
	switch {
	case id == "":
		return errors.New("the ClientID is empty")
	case len(id) > MaxClientID:
		return errors.New("the ClientID is longer than 64 bytes")
	case strings.TrimSpace(id) != id:
		return errors.New("the ClientID begins or ends with a space")
	}
	for i := 0; i < len(id); i++ {
		if b := id[i]; b < 0x20 || b == 0x7f {
			return errors.New("the ClientID has a control character, which a header cannot carry")
		}
	}
	return nil
}

// DefaultBaseURL returns https://{clientID}.myminapp.com for a ClientID that
// is a plain identifier (letters, digits, '-' and '_'), and an error for any
// other, which must never become part of a host name.
func DefaultBaseURL(clientID string) (string, error) {
	if err := CheckClientID(clientID); err != nil {
		return "", err
	}
	for i := 0; i < len(clientID); i++ {
		b := clientID[i]
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '-' || b == '_') {
			return "", errors.New("the ClientID is not a plain identifier (letters, digits, '-', '_'), so it cannot name the default host: check it, or give the backend with WithBaseURL")
		}
	}
	return "https://" + clientID + ".myminapp.com", nil
}

// CheckBaseURL checks a base URL given by the user and returns it without a
// trailing slash. It must be an absolute http or https URL with a host and
// no user info, query or fragment; http only for a loopback host
// (127.0.0.0/8, ::1, localhost) unless insecure is set.
func CheckBaseURL(raw string, insecure bool) (string, error) {
	if raw == "" {
		return "", errors.New("the base URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the URL, and its reasons quote parts of it: name
		// the part that is wrong instead.
		reason := "it is not a URL"
		switch msg := err.Error(); {
		case strings.Contains(msg, "invalid port"):
			reason = "its port is not a number"
		case strings.Contains(msg, "host"):
			reason = "its host has a character a host name cannot have"
		case strings.Contains(msg, "escape"):
			reason = "it has a malformed %-escape"
		case strings.Contains(msg, "control character"):
			reason = "it has a control character"
		}
		return "", errors.New("the base URL cannot be parsed: " + reason)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return "", errors.New("the base URL must start with https:// (http:// only for a loopback host)")
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return "", errors.New("the base URL has no host")
	case u.User != nil:
		return "", errors.New("the base URL has user info (user@ or user:password@): the BaaS API takes none")
	case u.RawQuery != "" || u.ForceQuery:
		return "", errors.New("the base URL has a query (?…): give the scheme, host and path only")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "", errors.New("the base URL has a fragment (#…): give the scheme, host and path only")
	case u.Scheme == "http" && !insecure && !IsLoopback(u.Hostname()):
		return "", errors.New("the base URL uses http:// for a host that is not loopback: use https://, or allow it with WithInsecureHTTP")
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// IsLoopback reports whether host names this machine: localhost, an address
// in 127.0.0.0/8, or ::1.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
