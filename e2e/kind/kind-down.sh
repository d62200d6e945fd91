#!/usr/bin/env bash
# Deletes the kind cluster.
source "$(dirname "$0")/lib.sh"
need "$KIND"
"$KIND" delete cluster --name "$KIND_CLUSTER"
