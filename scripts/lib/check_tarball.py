"""Check a built collection tarball: what a user installs must stand on its own.

    python scripts/lib/check_tarball.py fleetops-maintenance-X.Y.Z.tar.gz

Fails when the tarball ships caches or the repository-only parts (tests, simulator, scripts, demo,
benchmarks), lacks LICENSE or README.md, or when README.md links to a file the tarball does not hold.
"""
import re
import sys
import tarfile

REQUIRED = ("LICENSE", "README.md", "MANIFEST.json", "FILES.json", "meta/runtime.yml")
FORBIDDEN_PARTS = ("__pycache__", ".hypothesis", ".pytest_cache")
REPOSITORY_ONLY = ("tests/", "simulator/", "scripts/", "demo/", "benchmarks/", "run-report")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def problems(path):
    with tarfile.open(path) as tar:
        names = [name[2:] if name.startswith("./") else name for name in tar.getnames()]
        found = []
        found += ["missing: %s" % name for name in REQUIRED if name not in names]
        found += ["a cache is shipped: %s" % name for name in names
                  if any(part in name.split("/") for part in FORBIDDEN_PARTS) or name.endswith(".pyc")]
        found += ["a repository-only file is shipped: %s" % name for name in names if name.startswith(REPOSITORY_ONLY)]
        if "README.md" in names:
            readme = tar.extractfile(tar.getmember(next(n for n in tar.getnames() if n.lstrip("./") == "README.md")))
            for target in LINK.findall(readme.read().decode("utf-8")):
                if "://" in target or target.startswith(("#", "mailto:")):
                    continue
                if target.split("#")[0] not in names:
                    found.append("README.md links to %s, which the tarball does not hold" % target)
    return found


if __name__ == "__main__":
    issues = problems(sys.argv[1])
    for issue in issues:
        print("ERROR: " + issue)
    print("%s: %s" % (sys.argv[1], "%d problem(s)" % len(issues) if issues else "ok"))
    sys.exit(1 if issues else 0)
