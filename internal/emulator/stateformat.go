package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
)

// StateVersion is the version of the JSON format of a State that this
// emulator writes and reads: {"version": 1, "appid", "client_id", "users",
// "sessions", "platforms", "apps"}, with every name in snake_case.
// "platforms" lists the users of the platforms besides WeChat
// (PlatformUserState), and "apps" the other apps, each {"appid",
// "client_id", "users", "sessions", "platforms"}; a user of one of them
// has "person" when their name is not their openid. The emulator also
// reads the format from before versions (without "version"), a state of
// one app, where a user's WeChat fields had their Go names (OpenID,
// SessionKey, NickName, …), so that a file exported by an earlier
// emulator imports as it did.
const StateVersion = 1

// stateFile is a State as its JSON has it.
type stateFile struct {
	Version int `json:"version" doc:"the version of the format: 1"`
	plainState
}

// plainState is a State without its JSON methods.
type plainState State

// jsonShape returns the type of a State's JSON, so that the schema of a
// State is that of its JSON.
func (State) jsonShape() reflect.Type { return reflect.TypeFor[stateFile]() }

// MarshalJSON writes s in the format of StateVersion.
func (s State) MarshalJSON() ([]byte, error) {
	if s.Platforms == nil {
		s.Platforms = []PlatformUserState{}
	}
	apps := make([]AppState, len(s.Apps)) // a copy: s's apps are the caller's
	for i, a := range s.Apps {
		if a.Platforms == nil {
			a.Platforms = []PlatformUserState{}
		}
		apps[i] = a
	}
	s.Apps = apps
	return json.Marshal(stateFile{Version: StateVersion, plainState: plainState(s)})
}

// UnmarshalJSON reads a State of the format of StateVersion, or of the
// format before versions. Each is read strictly: a field that the format
// does not have is an error that names it, and so is a field of
// StateVersion's format that data leaves out.
func (s *State) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	var head struct {
		Version *int               `json:"version"`
		Apps    *[]json.RawMessage `json:"apps"` // so that their types are checked whatever the version
		Plats   *[]json.RawMessage `json:"platforms"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return err
	}
	switch {
	case head.Version == nil:
		var old legacyState
		if err := decodeStrict(data, &old); err != nil {
			return fmt.Errorf("%w (a state with no \"version\" is read in the format before versions; this one's is %d)", err, StateVersion)
		}
		*s = old.state()
		return nil
	case *head.Version != StateVersion:
		return fmt.Errorf("a state of version %d: this emulator reads version %d, and states from before versions", *head.Version, StateVersion)
	}
	var f stateFile
	if err := decodeStrict(data, &f); err != nil {
		return err
	}
	switch unknown, absent := checkFields(data, reflect.TypeFor[stateFile]()); {
	case unknown != "":
		return fmt.Errorf("unknown field %.64q of a state", unknown)
	case absent != "":
		return fmt.Errorf("missing %s: a state of version %d has version, appid, client_id, users, sessions, platforms and apps", absent, StateVersion)
	}
	*s = State(f.plainState)
	return nil
}

// decodeStrict decodes the one JSON value of data into v, and refuses a
// field that v does not have.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("more than one JSON value")
	}
	return nil
}

// legacyState is a State in the format before versions.
type legacyState struct {
	AppID    string            `json:"appid"`
	ClientID string            `json:"client_id"`
	Users    []legacyUserState `json:"users"`
	Sessions []SessionState    `json:"sessions"`
}

// legacyUserState is a UserState in the format before versions, with the
// WeChat fields under their Go names (which encoding/json also matches in
// another case, such as "openid").
type legacyUserState struct {
	OpenID     string       `json:"OpenID"`
	UnionID    string       `json:"UnionID"`
	SessionKey string       `json:"SessionKey"`
	NickName   string       `json:"NickName"`
	AvatarURL  string       `json:"AvatarURL"`
	Gender     int          `json:"Gender"`
	City       string       `json:"City"`
	Province   string       `json:"Province"`
	Country    string       `json:"Country"`
	Language   string       `json:"Language"`
	Phone      string       `json:"Phone"`
	Record     *RecordState `json:"record,omitempty"`
}

// state returns old as a State.
func (old legacyState) state() State {
	s := State{AppID: old.AppID, ClientID: old.ClientID, Sessions: old.Sessions}
	if old.Users != nil {
		s.Users = make([]UserState, len(old.Users))
	}
	for i, u := range old.Users {
		s.Users[i] = UserState{User: User{OpenID: u.OpenID, UnionID: u.UnionID, SessionKey: u.SessionKey, NickName: u.NickName,
			AvatarURL: u.AvatarURL, Gender: u.Gender, City: u.City, Province: u.Province, Country: u.Country,
			Language: u.Language, Phone: u.Phone}, Record: u.Record}
	}
	return s
}
