#!/usr/bin/env bash
# Updates the public API baselines (PublicAPI.Unshipped.txt beside each tracked project) from the build's own diagnostics:
# every RS0016 symbol (public, but not listed) is added to PublicAPI.Unshipped.txt, every RS0017 symbol (listed, but gone
# or no longer public) is removed from PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt. Then it builds again and fails if
# any RS diagnostic is left. Review and commit the changed files.
#   scripts/update-public-api.sh          update the baselines of every project with <TrackPublicApi>true</TrackPublicApi>
#   scripts/update-public-api.sh --ship   first update, then move everything from Unshipped into Shipped (at a release)
set -euo pipefail
cd "$(dirname "$0")/.."
ship=false
[ "${1:-}" = "--ship" ] && ship=true
projects=$(grep -l "<TrackPublicApi>true</TrackPublicApi>" ${PUBLIC_API_PROJECTS:-src/*/*.csproj})
for project in $projects; do
  dir="$(dirname "$project")"
  for pass in 1 2 3; do
    log="$(mktemp)"
    dotnet build "$project" -c Release --no-incremental -nologo -p:TreatWarningsAsErrors=false > "$log" 2>&1 || true
    if ! grep -Eq "(error|warning) RS00(16|17|36|37)" "$log"; then
      if grep -Eq "error [A-Z]+[0-9]+" "$log"; then
        echo "$project: the build fails for another reason:"; grep -E "error [A-Z]+[0-9]+" "$log" | sort -u | head -20; rm -f "$log"; exit 1
      fi
      rm -f "$log"; echo "$project: public API baseline up to date"; break
    fi
    [ "$pass" = 3 ] && { echo "$project: RS diagnostics remain after two updates:"; grep -E "RS00" "$log" | sort -u | head; rm -f "$log"; exit 1; }
    python3 - "$dir" "$log" <<'PY'
import re, sys
directory, log = sys.argv[1], sys.argv[2]
text = open(log, encoding="utf-8", errors="replace").read()
added = set(m.group(1) for m in re.finditer(r"(?:error|warning) RS0016: Symbol '(.*?)' is not part of the declared public API", text))
removed = set(m.group(1) for m in re.finditer(r"(?:error|warning) RS0017: Symbol '(.*?)' is part of the declared API, but is either not public or could not be found", text))
def load(name):
    with open(f"{directory}/{name}", encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f if l.strip()]
def save(name, lines):
    header = [l for l in lines if l.startswith("#")] or ["#nullable enable"]
    body = sorted(set(l for l in lines if not l.startswith("#")), key=lambda s: (s.lstrip("*REMOVED*"), s))
    with open(f"{directory}/{name}", "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(header[:1] + body) + "\n")
shipped, unshipped = load("PublicAPI.Shipped.txt"), load("PublicAPI.Unshipped.txt")
save("PublicAPI.Shipped.txt", [l for l in shipped if l not in removed])
save("PublicAPI.Unshipped.txt", [l for l in unshipped if l not in removed] + sorted(added))
print(f"{directory}: +{len(added)} -{len(removed)} public API lines")
PY
    rm -f "$log"
  done
  if $ship; then
    python3 - "$dir" <<'PY'
import sys
d = sys.argv[1]
read = lambda n: [l.rstrip("\n") for l in open(f"{d}/{n}", encoding="utf-8") if l.strip() and not l.startswith("#")]
body = sorted(set(read("PublicAPI.Shipped.txt") + read("PublicAPI.Unshipped.txt")))
open(f"{d}/PublicAPI.Shipped.txt", "w", encoding="utf-8", newline="\n").write("\n".join(["#nullable enable"] + body) + "\n")
open(f"{d}/PublicAPI.Unshipped.txt", "w", encoding="utf-8", newline="\n").write("#nullable enable\n")
print(f"{d}: {len(body)} lines shipped")
PY
  fi
done
