# shellcheck shell=bash
# Virtualenv bootstrap helpers shared by scripts/test, scripts/demo and benchmarks/run.
#
# Source this file, then e.g.:
#   venv_dir=$(fo_venv_ensure core219 3.11 tests/requirements-core219.txt tests/requirements-dev.txt)
#   "$venv_dir/bin/ansible-playbook" ...
#
# Venvs live under ${FLEETOPS_VENV_DIR:-$HOME/.cache/fleetops-venvs}/<name>. A venv is (re)built
# only when the interpreter version or the content of one of its requirement files (including
# files pulled in with "-r") changes: a hash stamp is kept in <venv>/.fleetops-stamp.

FLEETOPS_VENV_DIR="${FLEETOPS_VENV_DIR:-$HOME/.cache/fleetops-venvs}"

fo_log() { printf '%s\n' "$*" >&2; }

# fo_pip PYTHON ARGS...: quiet pip; drops the harmless "Location ... is ignored" warnings this
# machine's pip.conf (extra-index-url of absent local mirrors) prints for every package.
fo_pip() {
    local py="$1" st; shift
    "$py" -m pip --quiet --disable-pip-version-check "$@" 2>&1 |
        { grep -v -e "is ignored: it is neither a file nor a directory" >&2 || true; }
    st=("${PIPESTATUS[@]}")
    return "${st[0]}"
}

# fo_find_python X.Y -> prints the path of a python X.Y interpreter (PATH first, then pyenv).
fo_find_python() {
    local want="$1" cand root ver
    for cand in "python$want" python3; do
        if command -v "$cand" >/dev/null 2>&1; then
            ver=$("$cand" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
            if [[ "$ver" == "$want" ]]; then
                # resolve pyenv shims to the real interpreter
                "$cand" -c 'import sys; print(sys.executable)'
                return 0
            fi
        fi
    done
    root=""
    if command -v pyenv >/dev/null 2>&1; then root=$(pyenv root 2>/dev/null || true); fi
    [[ -n "$root" ]] || root="${PYENV_ROOT:-$HOME/.pyenv}"
    # newest patch release of X.Y that pyenv holds
    while IFS= read -r cand; do
        if [[ -x "$cand/bin/python$want" ]]; then echo "$cand/bin/python$want"; return 0; fi
    done < <(find "$root/versions" -mindepth 1 -maxdepth 1 -name "$want.*" 2>/dev/null | sort -V -r)
    for cand in "/usr/bin/python$want" "/usr/local/bin/python$want"; do
        if [[ -x "$cand" ]]; then echo "$cand"; return 0; fi
    done
    fo_log "ERROR: no Python $want interpreter found (looked on PATH and in pyenv at $root)"
    return 1
}

# _fo_req_closure FILE... -> prints each requirement file and, recursively, the files it
# includes with -r/--requirement/-c/--constraint (paths relative to the including file).
_fo_req_closure() {
    local f dir inc
    for f in "$@"; do
        [[ -f "$f" ]] || { fo_log "ERROR: requirements file $f not found"; return 1; }
        echo "$f"
        dir=$(dirname "$f")
        while read -r inc; do
            [[ -n "$inc" ]] || continue
            _fo_req_closure "$dir/$inc"
        done < <(sed -nE 's/^[[:space:]]*(-r|--requirement|-c|--constraint)[[:space:]=]+([^[:space:]#]+).*/\2/p' "$f")
    done
}

# fo_venv_ensure NAME PY_X.Y REQFILE... -> creates or reuses the venv, prints its directory.
fo_venv_ensure() {
    local name="$1" pyver="$2"; shift 2
    local dir="$FLEETOPS_VENV_DIR/$name" py stamp lockfd
    py=$(fo_find_python "$pyver") || return 1
    mkdir -p "$FLEETOPS_VENV_DIR"
    stamp=$({
        "$py" -c 'import sys; print(sys.version)'
        _fo_req_closure "$@" | while read -r f; do echo "== $(basename "$f")"; cat "$f"; done
    } | sha256sum | cut -d' ' -f1) || return 1

    # Serialise concurrent runs that share the venv directory.
    if command -v flock >/dev/null 2>&1; then
        exec {lockfd}>"$FLEETOPS_VENV_DIR/.$name.lock"
        flock "$lockfd"
    fi
    if [[ -x "$dir/bin/python" && -f "$dir/.fleetops-stamp" && "$(cat "$dir/.fleetops-stamp")" == "$stamp" ]]; then
        fo_log "venv $name: up to date ($dir)"
    else
        local t0=$SECONDS args=() f
        fo_log "venv $name: building with $py ($dir) ..."
        rm -rf "$dir"
        "$py" -m venv "$dir" || { [[ -n "${lockfd:-}" ]] && exec {lockfd}>&-; return 1; }
        for f in "$@"; do args+=(-r "$f"); done
        if ! fo_pip "$dir/bin/python" install --upgrade pip ||
           ! fo_pip "$dir/bin/python" install "${args[@]}"; then
            fo_log "ERROR: pip install failed for venv $name"
            rm -rf "$dir"
            [[ -n "${lockfd:-}" ]] && exec {lockfd}>&-
            return 1
        fi
        echo "$stamp" > "$dir/.fleetops-stamp"
        fo_log "venv $name: built in $((SECONDS - t0))s"
    fi
    [[ -n "${lockfd:-}" ]] && exec {lockfd}>&-
    echo "$dir"
}

# fo_install_get_pip_shim: ansible-test bootstraps pip in its own venvs with a get-pip script it
# downloads from a host these machines cannot reach; it first looks for a cached copy at
# ~/.ansible/test/cache/get_pip_<X_Y>.py. Put an offline equivalent there (ensurepip, then pip
# upgrade from PyPI). Existing real or shim files are left alone unless they are our shim.
fo_install_get_pip_shim() {
    local cache="$HOME/.ansible/test/cache" v f
    mkdir -p "$cache"
    for v in 23_1 24_0 24_2 24_3 25_0 25_1 25_2 25_3; do
        f="$cache/get_pip_$v.py"
        if [[ -f "$f" ]] && ! grep -q 'fleetops get-pip shim' "$f"; then continue; fi
        cat > "$f.tmp" <<'PYEOF'
# fleetops get-pip shim: offline stand-in for https://bootstrap.pypa.io/get-pip.py
# (installed by scripts/lib/venv.sh). Bootstraps pip with ensurepip, then installs the requested
# pip version from the configured package index.
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
if args:
    subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--upgrade'] + args)
PYEOF
        mv "$f.tmp" "$f"
    done
}
