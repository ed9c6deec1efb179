package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/wxbaas/baas"
	"github.com/wxbaas/baas/internal/emulator"
	"github.com/wxbaas/baas/internal/transport"
)

// callJSON sends body, when not nil, as JSON with method to url, with the
// bearer token when not empty, and decodes a 2xx answer into out, when
// not nil. Its errors are *baas.HError values, as the SDK's are: 600, 601
// or 692 when no answer came, 691 for an unreadable one, and otherwise the
// HTTP status. what names the call in the messages.
func callJSON(ctx context.Context, hc *http.Client, method, url, token, what string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return &baas.HError{Code: baas.CodeIncorrectParameter, Message: what + ": encoding the request", Err: err}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return &baas.HError{Code: baas.CodeIncorrectParameter, Message: what + ": the URL", Err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return &baas.HError{Code: baas.Code(transport.WhyNoAnswer(err)), Message: what, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, emulator.MaxBodyBytes))
	if err != nil {
		return &baas.HError{Code: baas.Code(transport.WhyNoAnswer(err)), Message: what, Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var e struct {
			Msg string `json:"error_msg"`
		}
		msg := http.StatusText(resp.StatusCode)
		if json.Unmarshal(data, &e) == nil && e.Msg != "" {
			msg = e.Msg
		}
		return &baas.HError{Code: baas.Code(resp.StatusCode), Message: fmt.Sprintf("%s: %s", what, msg)}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return &baas.HError{Code: baas.CodeInvalidResponse, Message: what, Err: err}
		}
	}
	return nil
}
