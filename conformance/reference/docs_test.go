package reference

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docs/protocol.md lists every case of the suite, and nothing else, with
// its page, request and statuses: the table and the suite stay one.
func TestProtocolDocListsEveryCase(t *testing.T) {
	raw, err := os.ReadFile("../../docs/protocol.md")
	require.NoError(t, err)
	rows := map[string]string{}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "| R"); ok {
			if id, _, ok := strings.Cut(rest, " |"); ok {
				rows["R"+id] = line
			}
		}
	}
	seen := map[string]bool{}
	deviations := 0
	for _, c := range cases {
		require.False(t, seen[c.id], "case %s twice", c.id)
		seen[c.id] = true
		emulator := fmt.Sprint(c.status)
		if c.deviation != nil {
			emulator = fmt.Sprintf("%d (decided deviation", c.deviation.status)
			deviations++
		}
		want := fmt.Sprintf("| %s | %s | `%s` | %d | %s", c.id, c.page, c.req, c.status, emulator)
		assert.True(t, strings.HasPrefix(rows[c.id], want), "docs/protocol.md's row of %s: %q, want it to start %q", c.id, rows[c.id], want)
	}
	assert.Len(t, rows, len(cases), "the table's rows are the suite's cases")
	assert.Contains(t, string(raw), fmt.Sprintf("%d cases; %d answer as the reference documents", len(cases), len(cases)-deviations))
}
