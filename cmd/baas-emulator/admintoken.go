package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wxbaas/baas/internal/emulator"
)

// envAdminToken is the environment variable that may give the admin token,
// out of sight of ps, as -admin-token-file does.
const envAdminToken = "BAAS_EMULATOR_ADMIN_TOKEN"

// tokenFlags holds the admin token flags as given, each with whether it
// was on the command line at all.
type tokenFlags struct {
	token, file       string
	tokenSet, fileSet bool
	env               func(string) (string, bool) // os.LookupEnv
}

// adminToken returns the admin token and where it came from ("" for none).
// The token comes from -admin-token or -admin-token-file, of which at most
// one may be given, or else from the environment variable envAdminToken,
// whose empty value gives none. A flag wins over the variable, so that one
// emulator started from a shell that exports it can have a token of its
// own, and the source then says that the variable was passed over. A token
// is what emulator.CheckAdminToken takes; a file's one trailing line break
// is not part of it. No error quotes the token.
func adminToken(f tokenFlags) (token, source string, err error) {
	envToken, _ := f.env(envAdminToken)
	switch {
	case f.tokenSet && f.fileSet:
		return "", "", errors.New("-admin-token and -admin-token-file both give the admin token: give one (-admin-token-file or " +
			envAdminToken + " keep it out of ps)")
	case f.fileSet:
		source = "-admin-token-file " + f.file
		token, err = readTokenFile(f.file)
	case f.tokenSet:
		source, token = "-admin-token", f.token
	case envToken != "":
		source, token = envAdminToken, envToken
	default:
		return "", "", nil
	}
	if err == nil {
		err = emulator.CheckAdminToken(token)
	}
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", source, err)
	}
	if envToken != "" && source != envAdminToken {
		source += " (" + envAdminToken + ", set too, is passed over)"
	}
	return token, source, nil
}

// readTokenFile reads the token in path, without its trailing line break.
func readTokenFile(path string) (string, error) {
	file, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, emulator.MaxAdminTokenBytes+3)) // room for the token, "\r\n" and one byte too many
	if err != nil {
		return "", err
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if len(s) > emulator.MaxAdminTokenBytes {
		return "", fmt.Errorf("the file holds more than the %d bytes of a token", emulator.MaxAdminTokenBytes)
	}
	return s, nil
}
