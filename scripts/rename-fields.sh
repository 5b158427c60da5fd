#!/usr/bin/env bash
# Renames private/internal fields of CloudMining.Farm.sln to the naming rule in .editorconfig with Roslyn's Renamer.
# Arguments go to the tool: --dry-run, --only GLOB, --exclude GLOB, --exclude-file FILE (docs/code-style.md).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${TMPDIR:-/tmp}/cloudmining-fieldrename"
dotnet build "$root/scripts/fieldrename/fieldrename.csproj" -c Release -v q --nologo -o "$out" >&2
cd "$root"
exec dotnet "$out/fieldrename.dll" CloudMining.Farm.sln "$@"
