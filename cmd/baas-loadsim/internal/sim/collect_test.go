package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTimelineHalves: past maxBuckets the buckets merge two by two and
// keep every sample, its errors too.
func TestTimelineHalves(t *testing.T) {
	tl := timeline{width: firstBucket}
	for i := range 2 * maxBuckets {
		out := OK
		if i%10 == 0 {
			out = Outcome(503)
		}
		tl.record(sample{end: time.Duration(i) * firstBucket, step: Logout, out: out}, int64(i+1))
	}
	assert.Equal(t, 2*firstBucket, tl.width)
	require.Len(t, tl.buckets, maxBuckets)
	var n, errs int64
	for i, b := range tl.buckets {
		require.NotNil(t, b, "bucket %d", i)
		assert.Nil(t, b.hist[SilentLogin])
		n += b.hist[Logout].TotalCount()
		errs += b.errors[Logout]
	}
	assert.Equal(t, int64(2*maxBuckets), n)
	assert.Equal(t, int64(2*maxBuckets/10), errs)
	assert.Equal(t, int64(2), tl.buckets[0].hist[Logout].TotalCount())
	assert.Equal(t, int64(2), tl.buckets[0].hist[Logout].Max())
}
