# lib_loopback.sh - no test reaches past loopback. Every Azure endpoint
# jumpdeck knows (Entra ID, ARM, Resource Graph, the registries, and IMDS,
# whose built-in default is the link-local 169.254.169.254) points at a
# closed port on 127.0.0.1, and the Azure CLI it would run is one that does
# not exist. Sourced by lib_world.sh and tests/e2e/lib.sh, which export
# these before anything starts; lib_azure.sh's az_up then points them at
# the simulators it starts. POSIX sh.
# shellcheck shell=sh disable=SC2034

# NAME=value words (no value holds a space).
LB_AZURE_ENV="AZURE_AUTHORITY_HOST=https://127.0.0.1:1/
JUMPDECK_ARM_ENDPOINT=https://127.0.0.1:1/
JUMPDECK_RESOURCE_GRAPH_ENDPOINT=https://127.0.0.1:1/
JUMPDECK_IMDS_ENDPOINT=http://127.0.0.1:1
JUMPDECK_REGISTRY_URL=https://127.0.0.1:1
JUMPDECK_ACR_AUTH_URL=https://127.0.0.1:1
JUMPDECK_UPSTREAM_REGISTRY_URL=https://127.0.0.1:1
JUMPDECK_AZ_COMMAND=/nonexistent/az"
# shellcheck disable=SC2086
export $LB_AZURE_ENV
# Their names, for a script that must see the built-in defaults.
LB_AZURE_NAMES=$(printf '%s\n' "$LB_AZURE_ENV" | sed 's/=.*//' | tr '\n' ' ')
