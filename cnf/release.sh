#!/usr/bin/env bash
# Makes a Patchbay release: every pom gets VERSION, the API bundles (net.api, net.control,
# net.posix, net.driverkit) and the parent pom are deployed into cnf/release, the Maven
# repository later builds baseline against, then every pom gets NEXT. See docs/releasing.md.
#
#   cnf/release.sh 2.1.0 2.1.1-SNAPSHOT
set -euo pipefail
cd "$(dirname "$0")/.."

if (($# != 2)); then
    echo "usage: cnf/release.sh VERSION NEXT-SNAPSHOT" >&2
    exit 2
fi
version="$1" next="$2"
api="net.posix,net.api,net.control,net.driverkit"

if [[ -n "$(git status --porcelain)" ]]; then
    echo "release: commit or stash your changes first" >&2
    exit 1
fi
current="$(sed -n '0,/<version>/s#.*<version>\(.*\)</version>.*#\1#p' pom.xml)"

# Every pom, and the archetype version the docs quote.
set_version() {
    git ls-files '*pom.xml' | xargs sed -i "s#<version>$1</version>#<version>$2</version>#"
    git grep -l -e "-DarchetypeVersion=$1" -- '*.md' | xargs -r sed -i "s#-DarchetypeVersion=$1#-DarchetypeVersion=$2#g"
}

# The launcher's run set (launcher/patchbay.bndrun) names each bundle's version: resolve it again
# for the new one, or the build's check of the resolution fails.
resolve_run_set() {
    mvn -B -q -DskipTests package -pl launcher -am -Dpatchbay.resolve.check=false
}

set_version "$current" "$version"
resolve_run_set
# The whole suite, then the API bundles into the release repository.
mvn -B verify
mvn -B -DskipTests deploy -pl "$api" -am \
    -DaltDeploymentRepository="patchbay-release::file://$PWD/cnf/release"
# -am also deploys what the API modules' tests need (net.hub, ...): the release keeps the API only.
for dir in cnf/release/org/patchbay/*/; do
    case "$(basename "$dir")" in
        patchbay|net.api|net.control|net.posix|net.driverkit) ;;
        *) rm -rf "$dir" ;;
    esac
done
git add -A cnf/release
git commit -qam "Release $version"
git tag "v$version"

set_version "$version" "$next"
resolve_run_set
git commit -qam "Next: $next"
echo "released $version (tag v$version); main is now $next"
