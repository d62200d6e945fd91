# shellcheck shell=sh
# Go settings shared by everything that runs `go` (sourced by
# build-tools.sh, the kind scripts and the npm test scripts; POSIX sh).
#
# e2e/go.mod names Go 1.27 (Gateway API v1.7.0 needs it) and pins the
# toolchain (`toolchain go1.27.3`). GOTOOLCHAIN=auto lets the go command fetch
# that toolchain from the Go module proxy once per machine (about 76 MB)
# when the installed Go is older, and use the installed Go for the modules
# that do not need 1.27 (e2e/tools/*), so their build cache stays warm.
# Some machines set GOTOOLCHAIN=local in their Go env file, which would refuse
# e2e/go.mod; an explicit GOTOOLCHAIN in the environment still wins.
GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
export GOTOOLCHAIN
