#!/usr/bin/env bash
# Packaging check (issue 19): pack the NuGet packages into a local folder, then, in fresh temporary folders that see only
# that folder and the machine's normal NuGet source:
#   1. dotnet new console + dotnet add package Descent + the README's quick start compiles and runs;
#   2. the samples/ projects build and run against the packed Descent package (not project references);
#   3. dotnet tool install Descent.Cli, then `descent lab --quick` runs from an empty folder (the MNIST data ships in the tool).
# Every run packs a fresh version (0.1.0-ci.<time>.<pid>), so the NuGet cache never serves a stale package; the cached
# copies of that version are removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$(pwd)"
version="0.1.0-ci.$(date +%s).$$"
work="$(mktemp -d)"
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
cleanup() {
  rm -rf "$work"
  for id in descent descent.tensorboard descent.lab descent.cli; do rm -rf "$cache/$id/$version"; done
}
trap cleanup EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
step() { echo "-- pack check: $* ($(date -u +%H:%M:%S))"; }

step "pack $version"
feed="$work/feed"
for project in src/Descent src/Descent.TensorBoard src/Descent.Lab src/Descent.Cli; do
  dotnet pack "$project" -c Release -o "$feed" -p:Version="$version" -p:ContinuousIntegrationBuild=true -nologo -v quiet
done
for id in Descent Descent.TensorBoard Descent.Lab Descent.Cli; do
  test -f "$feed/$id.$version.nupkg" || { echo "missing $id.$version.nupkg"; exit 1; }
  test -f "$feed/$id.$version.snupkg" || { echo "missing $id.$version.snupkg"; exit 1; }
done
# (grep reads whole listings from files: with pipefail, `unzip -l | grep -q` fails when grep stops reading early.)
unzip -l "$feed/Descent.$version.nupkg" > "$work/descent.list"
unzip -l "$feed/Descent.Cli.$version.nupkg" > "$work/cli.list"
grep -q "lib/net10.0/Descent.xml" "$work/descent.list" || { echo "Descent package lacks its XML documentation"; exit 1; }
grep -q "data/mnist-10k/train-images-idx3-ubyte.gz" "$work/cli.list" || { echo "the tool lacks the MNIST data"; exit 1; }

cat > "$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML

step "README quick start in a new console project"
# The quick start is the README block between the quickstart markers; it must equal samples/LinearRegression/Program.cs.
awk '/<!-- quickstart:begin -->/{on=1; next} /<!-- quickstart:end -->/{on=0} on' README.md | sed '1{/^```/d}; ${/^```/d}' > "$work/quickstart.cs"
test -s "$work/quickstart.cs" || { echo "no quick start block in README.md"; exit 1; }
diff -u samples/LinearRegression/Program.cs "$work/quickstart.cs" || { echo "README quick start differs from samples/LinearRegression/Program.cs"; exit 1; }
mkdir "$work/quickstart"
(
  cd "$work/quickstart"
  dotnet new console -n QuickStart -o . --framework net10.0 >/dev/null
  dotnet add package Descent --version "$version" >/dev/null
  cp "$work/quickstart.cs" Program.cs
  dotnet run -c Release
)

step "samples against the package"
cp -r samples "$work/samples"
for sample in "$work"/samples/*/; do
  name="$(basename "$sample")"
  (cd "$sample" && dotnet run -c Release -p:DescentPackageVersion="$version") || { echo "sample $name failed"; exit 1; }
  grep -q "\"Descent/$version\"" "$sample/obj/project.assets.json" || { echo "sample $name did not use the Descent $version package"; exit 1; }
  if grep -q '"type": "project"' "$sample/obj/project.assets.json"; then echo "sample $name used a project reference"; exit 1; fi
done

step "dotnet tool install Descent.Cli; descent lab --quick from an empty folder"
dotnet tool install Descent.Cli --version "$version" --tool-path "$work/tools" --add-source "$feed" --configfile "$work/nuget.config"
mkdir "$work/empty"
(
  cd "$work/empty"
  "$work/tools/descent" lab --quick --out run
  test -f run/report.html
  "$work/tools/descent" train --epochs 1 --train-limit 1000 --out train --tensorboard board --json | tail -1
  compgen -G "board/events.out.tfevents.*" > /dev/null || { echo "no event file in board/"; exit 1; }
)
step "done"
