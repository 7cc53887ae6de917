// Stand-in for github.com/dagger/dagger/engine/distconsts, a nested module of
// the Dagger repository that the Go module proxy does not serve at the
// versions that github.com/dagger/dagger v0.19.7 requires. steps/dagger.sh
// points that module's replace directive here.
module github.com/dagger/dagger/engine/distconsts

go 1.24.4
